import { readFileSync, readdirSync } from 'node:fs';
import { lintDockerfile } from './support/dockerfile-lint';
import { repoPath } from './support/paths';

const dir = repoPath('deploy/docker');
const files = readdirSync(dir).filter((f) => f.endsWith('Dockerfile'));

describe('Dockerfiles (deploy/docker)', () => {
  test('there are the API, Grafana and test-runner images', () => {
    expect(files.sort()).toEqual(['api.Dockerfile', 'grafana.Dockerfile', 'test.Dockerfile']);
  });

  test.each(files)('%s: non-root USER, HEALTHCHECK, pinned bases', (file) => {
    expect(lintDockerfile(readFileSync(`${dir}/${file}`, 'utf8'))).toEqual([]);
  });

  test.each(files)('%s: the Node base defaults to .nvmrc’s release (the one place the version is written)', (file) => {
    const nvmrc = readFileSync(repoPath('.nvmrc'), 'utf8').trim().replace(/^v/, '');
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    expect(text.match(/^ARG NODE_IMAGE=(.*)$/m)?.[1]).toBe(`node:${nvmrc}-bookworm-slim`);
  });

  test('the API image is multi-stage and installs production dependencies only', () => {
    const text = readFileSync(`${dir}/api.Dockerfile`, 'utf8');
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/npm ci[^\n]*--omit=dev/);
    expect(text).toMatch(/-w @mwva\/voice-core -w @mwva\/datasource-server/);
    expect(text).toMatch(/ENTRYPOINT \["node", "datasource-server\/dist\/cli\/main.js"\]/);
    expect(text).toMatch(/CMD \["serve"\]/);
  });

  test('the linter catches root, missing healthchecks and floating bases', () => {
    expect(lintDockerfile('FROM node:latest\nRUN true\n')).toEqual([
      'base image node:latest is not pinned to a version',
      'the final stage sets no USER (runs as root)',
      'no HEALTHCHECK',
    ]);
    expect(lintDockerfile('FROM node:20.1 AS a\nFROM a\nUSER root\nHEALTHCHECK CMD true\n')).toEqual([
      'the final stage runs as root',
    ]);
  });

  test('.dockerignore keeps secrets and build output out of the context', () => {
    const ignore = readFileSync(repoPath('.dockerignore'), 'utf8');
    for (const entry of ['.env', '**/node_modules', '.git']) expect(ignore.split('\n')).toContain(entry);
  });
});
