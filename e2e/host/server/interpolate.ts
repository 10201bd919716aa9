/**
 * Grafana's expansion of environment variables and files in provisioning files and grafana.ini.
 *
 * Provisioning (pkg/services/provisioning/values/values.go `interpolateValue`): the string is split
 * on "$$" (a literal "$"), and each part goes through setting.ExpandVar — `${VAR}`, `$__env{VAR}`,
 * `$__file{path}` (pkg/setting/expanders.go) — and then os.ExpandEnv (`$VAR`, `${VAR}`; unset is "").
 * A value therefore expands twice: a `$` inside an expanded secret is expanded again, as in Grafana.
 * grafana.ini (setting.expandConfig) only gets the ExpandVar step.
 */

export interface ExpansionContext {
  /** The process environment Grafana sees. */
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a file as Grafana would see it (container path); throws when it does not exist. */
  readFile: (path: string) => string;
  /** os.Hostname(), for Grafana's HOSTNAME special case. */
  hostname?: string;
}

export class InterpolationError extends Error {}

// expanders.go: regexp.MustCompile(`\$(|__\w+){([^}]+)}`); RE2's \w is [0-9A-Za-z_].
const EXPANDER = /\$(|__[0-9A-Za-z_]+)\{([^}]+)\}/g;

type Expander = { name: string; expand: (arg: string, ctx: ExpansionContext) => string };

// Registered order env (priority -10) then file (-5), as expandConfig sorts them.
const EXPANDERS: Expander[] = [
  {
    name: 'env',
    expand: (arg, ctx) => {
      const value = ctx.env[arg] ?? '';
      return arg === 'HOSTNAME' && value === '' ? (ctx.hostname ?? 'localhost') : value;
    },
  },
  {
    name: 'file',
    expand: (arg, ctx) => {
      try {
        return ctx.readFile(arg).trim();
      } catch (error) {
        throw new InterpolationError(`got error while expanding expander file: ${(error as Error).message}`);
      }
    },
  },
];

/** setting.ExpandVar: every `$__name{arg}` (and `${arg}` for env) that a known expander handles. */
export function expandVar(text: string, ctx: ExpansionContext): string {
  let s = text;
  for (const expander of EXPANDERS) {
    for (const match of [...s.matchAll(EXPANDER)]) {
      const [whole, name, arg] = match as unknown as [string, string, string];
      if (name === `__${expander.name}` || (name === '' && expander.name === 'env')) {
        s = s.replace(whole, () => expander.expand(arg, ctx));
      }
    }
  }
  return s;
}

/** Go's os.ExpandEnv (os/env.go Expand + getShellName), with unset variables as "". */
export function expandEnv(s: string, env: ExpansionContext['env']): string {
  let out = '';
  let i = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== '$' || j + 1 >= s.length) continue;
    out += s.slice(i, j);
    const [name, width] = shellName(s.slice(j + 1));
    if (name === '' && width > 0) {
      // invalid syntax ("${}" or an unclosed "${"): Go eats it
    } else if (name === '') {
      out += '$';
    } else {
      out += env[name] ?? '';
    }
    j += width;
    i = j + 1;
  }
  return i === 0 && out === '' ? s : out + s.slice(i);
}

const SPECIAL = new Set(['*', '#', '$', '@', '!', '?', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

function shellName(s: string): [string, number] {
  if (s[0] === '{') {
    if (s.length > 2 && SPECIAL.has(s[1]!) && s[2] === '}') return [s[1]!, 3];
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}') return i === 1 ? ['', 2] : [s.slice(1, i), i + 1];
    }
    return ['', 1];
  }
  if (SPECIAL.has(s[0]!)) return [s[0]!, 1];
  let i = 0;
  while (i < s.length && /[0-9A-Za-z_]/.test(s[i]!)) i++;
  return [s.slice(0, i), i];
}

/** values.go interpolateValue: "$$" is a literal "$"; each part gets ExpandVar, then ExpandEnv. */
export function interpolateValue(raw: string, ctx: ExpansionContext): string {
  return raw
    .split('$$')
    .map((part) => {
      let expanded: string;
      try {
        expanded = expandVar(part, ctx);
      } catch (error) {
        throw new InterpolationError(`failed to interpolate value '${raw}': ${(error as Error).message}`);
      }
      return expandEnv(expanded, ctx.env);
    })
    .join('$');
}

/**
 * values.go transformInterface (JSONValue, StringMapValue): every string inside maps and lists is
 * interpolated; numbers and booleans stay as YAML typed them.
 */
export function interpolateTree(value: unknown, ctx: ExpansionContext): unknown {
  if (typeof value === 'string') return interpolateValue(value, ctx);
  if (Array.isArray(value)) return value.map((v) => interpolateTree(v, ctx));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateTree(v, ctx)]));
  }
  return value;
}

/**
 * The scalar value types (StringValue, BoolValue, Int64Value): YAML scalars are read as their text
 * and interpolated before conversion, so `editable: ${EDITABLE}` works and `editable: nope` fails.
 */
export function scalarString(value: unknown, ctx: ExpansionContext): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') throw new InterpolationError(`expected a scalar, got ${JSON.stringify(value)}`);
  return interpolateValue(String(value), ctx);
}

/** strconv.ParseBool, as values.BoolValue converts after interpolation. */
export function scalarBool(value: unknown, ctx: ExpansionContext): boolean {
  const s = scalarString(value, ctx);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  // An absent key leaves the Go zero value.
  if (value === undefined) return false;
  throw new InterpolationError(`strconv.ParseBool: parsing "${s}": invalid syntax`);
}

/** values.Int64Value: an empty value leaves the zero value. */
export function scalarInt(value: unknown, ctx: ExpansionContext): number {
  const s = scalarString(value, ctx);
  if (s === '') return 0;
  if (!/^[+-]?\d+$/.test(s)) throw new InterpolationError(`strconv.ParseInt: parsing "${s}": invalid syntax`);
  return Number(s);
}
