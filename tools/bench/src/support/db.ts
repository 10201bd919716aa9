import pg from 'pg';

/** Exactly-once check: how many of `ids` are in call_events, and how many of those are unapplied. */
export async function eventsPresent(
  url: string,
  ids: readonly string[],
): Promise<{ expected: number; present: number; missing: number; unapplied: number; missingSample: string[] }> {
  const client = new pg.Client({ connectionString: url, application_name: 'voice-agent-bench' });
  await client.connect();
  try {
    let present = 0;
    let unapplied = 0;
    const missing: string[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 5000) {
      const chunk = unique.slice(i, i + 5000);
      const { rows } = await client.query<{ id: string; applied: boolean }>(
        'select id, applied_at is not null as applied from call_events where id = any($1::text[])',
        [chunk],
      );
      const found = new Set(rows.map((r) => r.id));
      present += rows.length;
      unapplied += rows.filter((r) => !r.applied).length;
      for (const id of chunk) if (!found.has(id) && missing.length < 5) missing.push(id);
    }
    return { expected: unique.length, present, missing: unique.length - present, unapplied, missingSample: missing };
  } finally {
    await client.end();
  }
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'voice-agent-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
