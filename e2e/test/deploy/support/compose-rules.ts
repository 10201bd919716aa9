/**
 * Our own rules for compose files, beyond the compose-spec schema. Each returns the list of
 * violations (empty = compliant) so the tests can also prove a rule catches a bad file.
 */
type Service = Record<string, unknown> & {
  image?: string;
  build?: unknown;
  healthcheck?: { test?: unknown; disable?: boolean };
  ports?: unknown[];
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  restart?: string;
  deploy?: { resources?: { limits?: Record<string, unknown> } };
  networks?: unknown;
};
export type ComposeFile = {
  services?: Record<string, Service>;
  networks?: Record<string, { internal?: boolean } | null>;
};

/** Images of stores whose ports must never be published. */
const DATABASE_IMAGES = /^(postgres|mongo|neo4j|chromadb\/chroma|redis)[:@]/;
const SECRET_NAME = /(PASSWORD|TOKEN|SECRET|_KEY|AUTH)$/;

export function healthcheckRule(file: ComposeFile): string[] {
  return Object.entries(file.services ?? {})
    .filter(([, s]) => !s.healthcheck?.test || s.healthcheck.disable)
    .map(([name]) => `${name}: no healthcheck`);
}

export function dependsOnHealthyRule(file: ComposeFile): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(file.services ?? {})) {
    if (Array.isArray(s.depends_on)) out.push(`${name}: depends_on without condition: service_healthy`);
    for (const [dep, spec] of Object.entries(Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}))) {
      if (spec.condition !== 'service_healthy') out.push(`${name} -> ${dep}: condition is not service_healthy`);
    }
  }
  return out;
}

export function noPublishedDatabasePortsRule(file: ComposeFile): string[] {
  return Object.entries(file.services ?? {})
    .filter(([, s]) => s.image && DATABASE_IMAGES.test(s.image) && (s.ports?.length ?? 0) > 0)
    .map(([name]) => `${name}: a database publishes a port`);
}

/** Secret-looking variables must be ${…} references or *_FILE paths, never literal values. */
export function noLiteralSecretsRule(file: ComposeFile): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(file.services ?? {})) {
    const env = Array.isArray(s.environment)
      ? Object.fromEntries(s.environment.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]))
      : (s.environment ?? {});
    for (const [key, raw] of Object.entries(env)) {
      const value = String(raw ?? '');
      // Empty values and file paths (where a secret is read from) are not secrets.
      if (!SECRET_NAME.test(key) || value === '' || value.startsWith('/')) continue;
      if (/^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$/.test(value) && !/:-.+\}$/.test(value)) continue;
      out.push(`${name}: ${key} has a literal value`);
    }
    // Credentials inside URLs must come from variables too.
    for (const [key, raw] of Object.entries(env)) {
      if (/:\/\/[^/\s:@]+:[^@$\s]+@/.test(String(raw ?? ''))) out.push(`${name}: ${key} embeds a literal password`);
    }
  }
  return out;
}

/** Every image names a version tag (not latest); an interpolated tag must have a non-latest default. */
export function pinnedImagesRule(file: ComposeFile): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(file.services ?? {})) {
    if (!s.image) {
      if (!s.build) out.push(`${name}: neither image nor build`);
      continue;
    }
    const ref = s.image.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
    if (ref.includes('@sha256:')) continue;
    const tag = /:([^/:]+)$/.exec(ref)?.[1];
    if (!tag || tag === 'latest' || /\$\{/.test(tag)) out.push(`${name}: image ${s.image} is not pinned`);
    else if (!s.build && !/\d/.test(tag)) out.push(`${name}: image ${s.image} has no version in its tag`);
  }
  return out;
}

export function restartAndLimitsRule(file: ComposeFile, opts: { restart: boolean }): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(file.services ?? {})) {
    if (opts.restart && !s.restart) out.push(`${name}: no restart policy`);
    const limits = s.deploy?.resources?.limits;
    if (!limits?.memory || !limits?.cpus) out.push(`${name}: no cpu/memory limits`);
  }
  return out;
}
