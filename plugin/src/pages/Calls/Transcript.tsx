import React from 'react';
import { css } from '@emotion/css';
import { rows } from '../../api/frames';
import { useVoiceQuery } from '../../api/useVoiceQuery';
import { BRAND } from '../../components/brand/brand';
import { brandStyles } from '../../components/brand/BrandRoot';

/** One call's turns as a chat, each agent turn with its latency. */
export function Transcript({ callId }: { callId: string }) {
  const q = useVoiceQuery([{ refId: 'transcript', kind: 'transcript', callId }]);
  const turns = rows(q.frames.transcript?.[0]);
  if (q.errors.length) {
    return <div className={css({ color: BRAND.bad })}>{q.errors[0]?.message}</div>;
  }
  if (turns.length === 0) {
    return <div className={brandStyles.muted}>{q.loading ? 'Loading…' : 'No turns recorded for this call yet'}</div>;
  }
  return (
    <ol className={css({ listStyle: 'none', margin: 0, padding: 0, maxHeight: 420, overflowY: 'auto' })}>
      {turns.map((t, i) => {
        const agent = String(t.speaker ?? '').toLowerCase() === 'agent';
        const latency = t.latency_ms ?? t.latency;
        return (
          <li
            key={i}
            className={css({
              margin: '8px 0',
              display: 'flex',
              flexDirection: 'column',
              alignItems: agent ? 'flex-end' : 'flex-start',
            })}
          >
            <div
              className={css({
                maxWidth: '85%',
                padding: '8px 12px',
                borderRadius: 12,
                background: agent ? 'rgba(59,130,246,0.22)' : BRAND.surfaceRaised,
                border: `1px solid ${agent ? 'rgba(59,130,246,0.5)' : BRAND.border}`,
              })}
            >
              {String(t.text ?? '')}
            </div>
            <span className={brandStyles.muted}>
              {agent ? 'agent' : String(t.speaker ?? 'prospect')}
              {typeof latency === 'number' ? ` · ${Math.round(latency)} ms` : ''}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
