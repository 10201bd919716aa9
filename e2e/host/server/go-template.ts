/**
 * The part of Go's text/template that Grafana's data-source proxy uses to render a plugin route
 * (`url`, header `content`, `urlParams`) over the data source's settings.
 *
 * Grafana (pkg/api/pluginproxy/utils.go `interpolateString`) runs
 *   template.New("content").Funcs({"orEmpty": …}).Parse(text).Execute(buf, templateData{JsonData, SecureJsonData})
 * with the default `missingkey` option, so a key that is not in the map renders as `<no value>`
 * (text/template exec.go: an invalid reflect.Value prints "<no value>"), and so does a JSON null.
 * Field chains, `.`, pipelines into `orEmpty`, string literals, comments and the `{{-`/`-}}`
 * whitespace trims are implemented; anything else a Go template may contain (if, range, with,
 * variables, other functions) raises UnsupportedTemplateError, so the stand-in never silently
 * renders something Grafana would render differently.
 */

export const NO_VALUE = '<no value>';

/** Go's Parse would reject the text: Grafana logs "could not parse template" and skips the route. */
export class TemplateParseError extends Error {}
/** Go's Execute fails (e.g. a field of a string): Grafana logs "failed to execute template". */
export class TemplateExecError extends Error {}
/** Valid Go, but beyond what this stand-in implements: a loud failure instead of a guess. */
export class UnsupportedTemplateError extends Error {}

/** Grafana's `templateData` struct: the only two fields a route template can reach at the top. */
export interface RouteTemplateData {
  JsonData: Record<string, unknown> | null;
  SecureJsonData: Record<string, string> | null;
}

type Value = { valid: false } | { valid: true; value: unknown };
const INVALID: Value = { valid: false };

type Arg = { kind: 'field'; path: string[] } | { kind: 'string'; value: string };
type Command =
  { kind: 'field'; path: string[] } | { kind: 'string'; value: string } | { kind: 'call'; name: string; args: Arg[] };
type Node = { kind: 'text'; text: string } | { kind: 'action'; pipeline: Command[] };

/** Grafana's extra function: nil (missing key or null) becomes "", anything else passes through. */
const FUNCS: Record<string, (arg: Value) => Value> = {
  orEmpty: (arg) => (!arg.valid || arg.value === null ? { valid: true, value: '' } : arg),
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function renderGoTemplate(text: string, data: RouteTemplateData): string {
  return parse(text)
    .map((node) => (node.kind === 'text' ? node.text : print(evalPipeline(node.pipeline, data))))
    .join('');
}

function parse(text: string): Node[] {
  const nodes: Node[] = [];
  let rest = text;
  let trimNext = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    let literal = open === -1 ? rest : rest.slice(0, open);
    if (trimNext) literal = literal.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      nodes.push({ kind: 'text', text: literal });
      break;
    }
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateParseError(`template: content:1: unclosed action in "${text}"`);
    let inner = rest.slice(open + 2, close);
    // Go only treats "{{- " and " -}}" (with the space) as trim markers.
    if (/^-[ \t\r\n]/.test(inner)) {
      literal = literal.replace(/[ \t\r\n]+$/, '');
      inner = inner.slice(1);
    }
    trimNext = /[ \t\r\n]-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    nodes.push({ kind: 'text', text: literal });
    const action = parseAction(inner.trim(), text);
    if (action) nodes.push(action);
    rest = rest.slice(close + 2);
  }
  return nodes.filter((n) => n.kind !== 'text' || n.text !== '');
}

function parseAction(source: string, text: string): Node | null {
  if (source.startsWith('/*')) {
    if (!source.endsWith('*/')) throw new TemplateParseError(`template: content:1: unclosed comment in "${text}"`);
    return null;
  }
  if (source === '') throw new TemplateParseError(`template: content:1: missing value for command in "${text}"`);
  const pipeline = source.split('|').map((part) => parseCommand(part.trim(), text));
  return { kind: 'action', pipeline };
}

function parseCommand(source: string, text: string): Command {
  const words = tokenize(source, text);
  const [head, ...args] = words;
  if (head === undefined) throw new TemplateParseError(`template: content:1: missing value for command in "${text}"`);
  if (head.startsWith('"')) {
    if (args.length > 0) throw new TemplateParseError(`template: content:1: arguments after a constant in "${text}"`);
    return { kind: 'string', value: JSON.parse(head) as string };
  }
  if (head.startsWith('.')) {
    if (args.length > 0) throw new UnsupportedTemplateError(`stand-in: arguments after a field in "${text}"`);
    return { kind: 'field', path: fieldPath(head, text) };
  }
  if (head.startsWith('$') || /^(if|else|end|range|with|define|template|block|break|continue)$/.test(head)) {
    throw new UnsupportedTemplateError(`stand-in: "${head}" in route template "${text}" is not implemented`);
  }
  if (!IDENT.test(head)) throw new UnsupportedTemplateError(`stand-in: cannot evaluate "${head}" in "${text}"`);
  if (!(head in FUNCS)) {
    // Go's parser rejects unknown functions; Grafana only adds orEmpty to the built-ins.
    if (!/^(and|or|not|len|index|slice|print|printf|println|html|js|urlquery|eq|ne|lt|le|gt|ge|call)$/.test(head)) {
      throw new TemplateParseError(`template: content:1: function "${head}" not defined`);
    }
    throw new UnsupportedTemplateError(`stand-in: the Go built-in "${head}" is not implemented`);
  }
  return { kind: 'call', name: head, args: args.map((a) => parseArg(a, text)) };
}

function tokenize(source: string, text: string): string[] {
  const words: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[^\s"]+)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source)) !== null) words.push(m[1]!);
  if (re.lastIndex !== 0 && source.slice(re.lastIndex).trim() !== '') {
    throw new TemplateParseError(`template: content:1: unterminated quoted string in "${text}"`);
  }
  return words;
}

function parseArg(word: string, text: string): Arg {
  if (word.startsWith('"')) return { kind: 'string', value: JSON.parse(word) as string };
  if (word.startsWith('.')) return { kind: 'field', path: fieldPath(word, text) };
  throw new UnsupportedTemplateError(`stand-in: argument "${word}" in "${text}" is not implemented`);
}

function fieldPath(word: string, text: string): string[] {
  if (word === '.') return [];
  const path = word.slice(1).split('.');
  if (path.some((p) => !IDENT.test(p)))
    throw new TemplateParseError(`template: content:1: bad field "${word}" in "${text}"`);
  return path;
}

function evalPipeline(pipeline: Command[], data: RouteTemplateData): Value {
  let piped: Value | undefined;
  for (const command of pipeline) {
    if (command.kind !== 'call') {
      if (piped !== undefined) throw new TemplateExecError("can't give argument to non-function");
      piped = command.kind === 'field' ? evalField(command.path, data) : { valid: true, value: command.value };
      continue;
    }
    const args = command.args.map((a): Value =>
      a.kind === 'string' ? { valid: true, value: a.value } : evalField(a.path, data),
    );
    if (piped !== undefined) args.push(piped);
    if (args.length !== 1)
      throw new TemplateExecError(`wrong number of args for ${command.name}: want 1 got ${args.length}`);
    piped = FUNCS[command.name]!(args[0]!);
  }
  return piped ?? INVALID;
}

/** exec.go evalField: struct fields by name, map keys by lookup, invalid receivers stay invalid. */
function evalField(path: string[], data: RouteTemplateData): Value {
  if (path.length === 0) return { valid: true, value: data };
  const [top, ...rest] = path;
  if (top !== 'JsonData' && top !== 'SecureJsonData') {
    throw new TemplateExecError(`can't evaluate field ${top} in type pluginproxy.templateData`);
  }
  // A nil Go map (null settings) indexes like an empty one: every key is missing.
  let current: Value = { valid: true, value: data[top] ?? {} };
  for (const name of rest) {
    if (!current.valid) return INVALID;
    const receiver: unknown = current.value;
    if (receiver === null) throw new TemplateExecError(`nil pointer evaluating interface {}.${name}`);
    if (typeof receiver !== 'object' || Array.isArray(receiver)) {
      throw new TemplateExecError(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
    }
    current = Object.prototype.hasOwnProperty.call(receiver, name)
      ? { valid: true, value: (receiver as Record<string, unknown>)[name] }
      : INVALID;
  }
  return current;
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? '[]interface {}' : 'interface {}';
}

/** fmt.Fprint of the value, as text/template's printValue does. */
function print(v: Value): string {
  if (!v.valid || v.value === null || v.value === undefined) return NO_VALUE;
  return formatGo(v.value);
}

function formatGo(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatFloat(value);
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(formatGo).join(' ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([k, v]) => `${k}:${formatGo(v)}`).join(' ')}]`;
}

/** %v of a float64 (every JSON number is one in Go): strconv.FormatFloat(f, 'g', -1, 64). */
function formatFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  // strconv.FormatFloat(f, 'g', -1, 64): %e when exp < -4 || exp >= 6 (the "shortest" precision rule).
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(n);
}
