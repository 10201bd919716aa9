import React from 'react';
import { css } from '@emotion/css';
import { BRAND } from '../brand/brand';

interface Props {
  value: number;
  max?: number;
  /** A marker, e.g. the expert bar or the daily target. */
  marker?: number;
  markerLabel?: string;
  height?: number;
  /** Fill colour; Beast Mode is always #facc15. */
  color?: string;
  label?: string;
}

/** A track on a faint brand gradient with a solid fill and an optional marker line. */
export function ProgressBar({ value, max = 100, marker, markerLabel, height = 14, color = BRAND.gold, label }: Props) {
  const pct = (v: number) => `${Math.max(0, Math.min(100, (v / max) * 100))}%`;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={Math.round(value * 10) / 10}
      className={css`
        position: relative;
        height: ${height}px;
        border-radius: ${height / 2}px;
        background: linear-gradient(135deg, rgba(59, 130, 246, 0.28) 0%, rgba(250, 204, 21, 0.28) 100%);
        margin: 8px 0 ${marker !== undefined && markerLabel ? 18 : 4}px;
      `}
    >
      <div
        className={css`
          width: ${pct(value)};
          height: 100%;
          border-radius: inherit;
          background: ${color};
          box-shadow: 0 0 12px ${color}80;
          transition: width 0.6s ease;
        `}
      />
      {marker !== undefined && (
        <div
          title={markerLabel}
          className={css`
            position: absolute;
            top: -4px;
            bottom: -4px;
            left: ${pct(marker)};
            width: 2px;
            background: ${BRAND.text};
          `}
        >
          {markerLabel && (
            <span
              className={css`
                position: absolute;
                top: ${height + 6}px;
                transform: translateX(-50%);
                font-size: 10px;
                color: ${BRAND.muted};
                white-space: nowrap;
              `}
            >
              {markerLabel}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
