/** Provisioning values expand as pkg/services/provisioning/values and pkg/setting/expanders do. */
import {
  expandEnv,
  interpolateTree,
  interpolateValue,
  InterpolationError,
  scalarBool,
} from '../../host/server/interpolate';

const files: Record<string, string> = { '/run/secrets/token': 'from-file\n' };
const ctx = {
  env: { URL: 'http://api:5000', TOKEN: 'abc', DOLLAR: 'pa$word', EMPTY: '' },
  readFile: (p: string) => {
    if (!(p in files)) throw new Error(`stat ${p}: no such file or directory`);
    return files[p]!;
  },
  hostname: 'grafana-0',
};

describe('provisioning interpolation', () => {
  it.each([
    ['${URL}', 'http://api:5000'],
    ['$URL/api', 'http://api:5000/api'],
    ['$__env{URL}', 'http://api:5000'],
    ['$__file{/run/secrets/token}', 'from-file'],
    ['Bearer ${TOKEN}', 'Bearer abc'],
    ['${UNSET}', ''],
    ['$UNSET-x', '-x'],
    ['cost $$5', 'cost $5'],
    ['$$URL', '$URL'],
    ['${HOSTNAME}', 'grafana-0'],
    ['no vars', 'no vars'],
    ['trailing $', 'trailing $'],
  ])('%s → %s', (raw, expected) => {
    expect(interpolateValue(raw, ctx)).toBe(expected);
  });

  it('expands an expanded value again, as Grafana does (a $ inside a secret is not safe)', () => {
    expect(interpolateValue('${DOLLAR}', ctx)).toBe('pa');
  });

  it('fails on a missing file, naming the value', () => {
    expect(() => interpolateValue('$__file{/run/secrets/none}', ctx)).toThrow(InterpolationError);
    expect(() => interpolateValue('$__file{/run/secrets/none}', ctx)).toThrow(/failed to interpolate value '\$__file/);
  });

  it('walks jsonData maps and lists, leaving numbers and booleans typed', () => {
    expect(interpolateTree({ url: '${URL}', n: 3, b: true, list: ['$TOKEN', { x: '${TOKEN}' }] }, ctx)).toEqual({
      url: 'http://api:5000',
      n: 3,
      b: true,
      list: ['abc', { x: 'abc' }],
    });
  });

  it('reads booleans as strconv.ParseBool after interpolation', () => {
    expect(scalarBool(undefined, ctx)).toBe(false);
    expect(scalarBool('true', ctx)).toBe(true);
    expect(scalarBool(false, ctx)).toBe(false);
    expect(() => scalarBool('yes', ctx)).toThrow(/ParseBool/);
  });

  it('matches os.ExpandEnv on its edge cases', () => {
    expect(expandEnv('${}x', ctx.env)).toBe('x');
    expect(expandEnv('${URL', ctx.env)).toBe('URL');
    expect(expandEnv('$1', { '1': 'one' })).toBe('one');
  });
});
