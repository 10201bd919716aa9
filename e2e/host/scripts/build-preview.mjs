#!/usr/bin/env node
/**
 * Builds what the preview of `npm start` serves, when it is missing or older than its sources:
 * the plugin (plugin/dist, webpack) and the Grafana stand-in (e2e/host/dist: page and server).
 * A second start with nothing changed builds nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const at = (...p) => path.join(repo, ...p);

/** Newest modification time of the files under the given paths (0 when none exist). */
function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) visit(path.join(p, e));
    else latest = Math.max(latest, s.mtimeMs);
  };
  paths.forEach(visit);
  return latest;
}

const builds = [
  {
    what: 'the Grafana app plugin (plugin/dist)',
    output: at('plugin/dist/module.js'),
    sources: [at('plugin/src'), at('plugin/package.json'), at('contract/dist')],
    run: ['run', 'build', '-w', 'plugin'],
  },
  {
    what: 'the Grafana stand-in (e2e/host/dist)',
    output: at('e2e/host/dist/server/preview.js'),
    sources: [at('e2e/host/src'), at('e2e/host/server'), at('e2e/host/vite.config.ts')],
    run: ['run', 'build:host', '-w', 'e2e'],
  },
];

for (const build of builds) {
  const built = existsSync(build.output) ? statSync(build.output).mtimeMs : 0;
  if (built >= newest(build.sources)) continue;
  process.stderr.write(`preview: building ${build.what} (once; about a minute)…\n`);
  const started = Date.now();
  try {
    execFileSync('npm', [...build.run, '--silent'], { cwd: repo, stdio: 'pipe' });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}preview: building ${build.what} failed\n`);
    process.exit(1);
  }
  process.stderr.write(`preview: built ${build.what} in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
