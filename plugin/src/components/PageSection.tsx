import React, { type ReactNode } from 'react';
import { css, cx } from '@emotion/css';
import { Link } from 'react-router-dom';
import { Alert } from '@grafana/ui';
import type { DataQueryError } from '@grafana/data';
import { brandStyles } from './brand/BrandRoot';
import { testIds } from './testIds';
import { PLUGIN_ID } from '../constants';

/** A titled card. */
export function Section({
  title,
  children,
  className,
  testId,
}: {
  title: string;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={cx(brandStyles.card, className)} data-testid={testId}>
      <h2 className={css({ marginBottom: 12 })}>{title}</h2>
      {children}
    </section>
  );
}

/** Query errors (per refId) and the "no data source yet" hint. */
export function QueryStatus({ errors, missingDatasource }: { errors: DataQueryError[]; missingDatasource: boolean }) {
  if (missingDatasource) {
    return (
      <div data-testid={testIds.app.noDatasource}>
        <Alert severity="info" title="Connect the voice-agent-api">
          {/* A router link stays below Grafana's sub path (/grafana/); a bare href would leave it. */}
          Set the server URL and API token on the <Link to={`/plugins/${PLUGIN_ID}`}>configuration page</Link>.
        </Alert>
      </div>
    );
  }
  if (errors.length === 0) {
    return null;
  }
  return (
    <Alert severity="error" title="Some numbers could not be loaded">
      {errors.map((e, i) => (
        <div key={i}>
          {e.refId ? `${e.refId}: ` : ''}
          {e.message}
        </div>
      ))}
    </Alert>
  );
}
