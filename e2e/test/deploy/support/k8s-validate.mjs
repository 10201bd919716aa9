// Validates Kubernetes objects (a JSON array on stdin) against the OpenAPI schemas shipped in
// npm `kubernetes-models` (ESM only, so it runs as its own Node process). Prints a JSON array of
// {kind, name, errors[]} — one entry per object; errors empty when valid.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const obj of objects) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const entry = { kind: obj.kind, name: obj.metadata?.name, errors: [] };
  try {
    const mod = await import(path);
    const Model = mod[obj.kind];
    new Model(obj).validate();
  } catch (err) {
    entry.errors.push(String(err && err.message ? err.message : err));
  }
  results.push(entry);
}
process.stdout.write(JSON.stringify(results));
