/**
 * Route templates render as Go's text/template does inside Grafana's data-source proxy
 * (pkg/api/pluginproxy/utils.go interpolateString, default missingkey option).
 */
import {
  NO_VALUE,
  renderGoTemplate,
  TemplateExecError,
  TemplateParseError,
  UnsupportedTemplateError,
} from '../../host/server/go-template';

const data = {
  JsonData: {
    url: 'http://api:5000',
    port: 5000,
    big: 1234567,
    small: 0.00001,
    on: true,
    nested: { a: 'x' },
    nil: null,
  },
  SecureJsonData: { apiToken: 's3cret' },
};

describe('Go-template route rendering', () => {
  it.each([
    ['{{ .JsonData.url }}', 'http://api:5000'],
    ['{{.JsonData.url}}/api', 'http://api:5000/api'],
    ['Bearer {{ .SecureJsonData.apiToken }}', 'Bearer s3cret'],
    ['{{ .JsonData.port }}', '5000'],
    ['{{ .JsonData.big }}', '1.234567e+06'],
    ['{{ .JsonData.small }}', '1e-05'],
    ['{{ .JsonData.on }}', 'true'],
    ['{{ .JsonData.nested }}', 'map[a:x]'],
    ['{{ .JsonData.nested.a }}', 'x'],
    ['a {{- " b" | orEmpty }}', 'a b'],
    ['x  {{- .JsonData.url -}}  y', 'xhttp://api:5000y'],
    ['{{/* a comment */}}z', 'z'],
  ])('%s → %s', (template, expected) => {
    expect(renderGoTemplate(template, data)).toBe(expected);
  });

  it('renders a missing key, a missing map and a JSON null as <no value>, as Grafana does', () => {
    expect(renderGoTemplate('{{ .JsonData.missing }}', data)).toBe(NO_VALUE);
    expect(renderGoTemplate('{{ .JsonData.missing.deeper }}', data)).toBe(NO_VALUE);
    expect(renderGoTemplate('{{ .JsonData.nil }}', data)).toBe(NO_VALUE);
    expect(renderGoTemplate('{{ .SecureJsonData.apiToken }}', { JsonData: null, SecureJsonData: null })).toBe(NO_VALUE);
    expect(renderGoTemplate('{{ .JsonData.url }}', { JsonData: {}, SecureJsonData: {} })).toBe(NO_VALUE);
  });

  it('orEmpty turns a missing value into an empty string (Grafana registers it for routes)', () => {
    expect(renderGoTemplate('[{{ .JsonData.missing | orEmpty }}]', data)).toBe('[]');
    expect(renderGoTemplate('[{{ orEmpty .JsonData.url }}]', data)).toBe('[http://api:5000]');
  });

  it('fails like Go: parse errors, execution errors', () => {
    expect(() => renderGoTemplate('{{ .JsonData.url ', data)).toThrow(TemplateParseError);
    expect(() => renderGoTemplate('{{}}', data)).toThrow(TemplateParseError);
    expect(() => renderGoTemplate('{{ nope .JsonData.url }}', data)).toThrow(/function "nope" not defined/);
    expect(() => renderGoTemplate('{{ .Url }}', data)).toThrow(TemplateExecError);
    expect(() => renderGoTemplate('{{ .JsonData.url.host }}', data)).toThrow(
      /can't evaluate field host in type string/,
    );
  });

  it('refuses what it does not implement instead of guessing', () => {
    expect(() => renderGoTemplate('{{ if .JsonData.url }}x{{ end }}', data)).toThrow(UnsupportedTemplateError);
    expect(() => renderGoTemplate('{{ printf "%s" .JsonData.url }}', data)).toThrow(UnsupportedTemplateError);
  });
});
