/** A small Dockerfile linter for our own rules (non-root USER, HEALTHCHECK, pinned bases). */
export interface Instruction {
  op: string;
  args: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

export function lintDockerfile(text: string): string[] {
  const ins = parseDockerfile(text);
  const problems: string[] = [];
  const args = new Map<string, string>();
  for (const i of ins.filter((x) => x.op === 'ARG')) {
    const [k, v] = i.args.split('=');
    if (k && v) args.set(k, v);
  }
  const stages = new Set<string>();
  const froms = ins.filter((i) => i.op === 'FROM');
  if (froms.length === 0) problems.push('no FROM');
  for (const f of froms) {
    const [image = '', , alias] = f.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
    const resolved = image.replace(/\$\{?([A-Z_]+)\}?/g, (_, n: string) => args.get(n) ?? `$${n}`);
    // `scratch` is Docker's reserved empty image: nothing is pulled, nothing to pin.
    if (!stages.has(resolved) && resolved !== 'scratch') {
      const tag = /:([^/:]+)$/.exec(resolved)?.[1];
      if (!resolved.includes('@sha256:') && (!tag || tag === 'latest' || !/\d/.test(tag))) {
        problems.push(`base image ${image} is not pinned to a version`);
      }
    }
    if (alias) stages.add(alias);
  }
  // Rules that concern the final (runtime) stage only.
  const lastFrom = ins.lastIndexOf(froms[froms.length - 1]!);
  const final = ins.slice(lastFrom);
  const user = final.filter((i) => i.op === 'USER').pop();
  if (!user) problems.push('the final stage sets no USER (runs as root)');
  else if (/^(root|0)(:|$)/.test(user.args)) problems.push(`the final stage runs as ${user.args}`);
  if (!ins.some((i) => i.op === 'HEALTHCHECK' && !/^NONE/i.test(i.args))) problems.push('no HEALTHCHECK');
  if (final.some((i) => i.op === 'ADD' && /^https?:/.test(i.args))) problems.push('ADD from a URL');
  return problems;
}
