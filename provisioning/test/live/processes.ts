import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

/** The live test's own helpers (processes come from @mwva/testkit). */

export function requireExecutables(paths: string[], hint: string): void {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: ${hint}`);
}

export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync('bash', [script, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A webhook receiver like the one Alertmanager posts to in production: records each POST. */
export interface Received {
  path: string;
  body: { status: string; alerts: { status: string; labels: Record<string, string> }[] };
}

export async function startWebhookReceiver(port: number): Promise<{ server: Server; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        received.push({ path: req.url ?? '', body: JSON.parse(body) as Received['body'] });
      } catch {
        // Not an Alertmanager payload; nothing to record.
      }
      res.writeHead(200).end();
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, received };
}
