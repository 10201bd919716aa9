/**
 * The rules of Grafana's published plugin.json schema that the manifest test checks. A module,
 * not a .json file: the build copies every JSON file under src/ into the plugin.
 */
export const PLUGIN_JSON_RULES = {
  $comment:
    "The rules of Grafana's published plugin.json schema (grafana/grafana docs/sources/developers/plugins/plugin.schema.json, https://grafana.com/developers/plugin-tools/reference/plugin-json) that this plugin relies on, restated as a JSON Schema (draft-07) for the manifest test.",
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['type', 'name', 'id', 'info', 'dependencies'],
  properties: {
    id: {
      type: 'string',
      pattern: '^[0-9a-z]+\\-([0-9a-z]+\\-)?(app|panel|datasource|secretsmanager|transformer)$',
    },
    type: {
      enum: ['app', 'datasource', 'panel', 'renderer', 'secretsmanager', 'transformer'],
    },
    name: {
      type: 'string',
      minLength: 1,
    },
    info: {
      type: 'object',
      required: ['logos', 'version', 'updated', 'keywords'],
      properties: {
        keywords: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'string',
          },
        },
        logos: {
          type: 'object',
          required: ['small', 'large'],
          properties: {
            small: {
              type: 'string',
            },
            large: {
              type: 'string',
            },
          },
        },
        version: {
          type: 'string',
          pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)|(\\%VERSION\\%)$',
        },
        updated: {
          type: 'string',
          pattern: '^(\\d{4}-\\d{2}-\\d{2}|\\%TODAY\\%)$',
        },
      },
    },
    dependencies: {
      type: 'object',
      required: ['grafanaDependency'],
      properties: {
        grafanaDependency: {
          type: 'string',
          pattern:
            '^(<=|>=|<|>|=|~|\\^)?([0-9]+)(\\.[0-9x\\*]+)(\\.[0-9x\\*]+)?(\\s(<=|>=|<|=>)?([0-9]+)(\\.[0-9x]+)(\\.[0-9x]+))?$',
        },
        plugins: {
          type: 'array',
        },
      },
    },
    includes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: {
            enum: ['dashboard', 'page', 'panel', 'datasource', 'secretsmanager'],
          },
          role: {
            enum: ['Admin', 'Editor', 'Viewer'],
          },
          name: {
            type: 'string',
          },
          path: {
            type: 'string',
          },
          addToNav: {
            type: 'boolean',
          },
          defaultNav: {
            type: 'boolean',
          },
          icon: {
            type: 'string',
          },
        },
      },
    },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          path: {
            type: 'string',
          },
          url: {
            type: 'string',
          },
          headers: {
            type: 'array',
          },
        },
      },
    },
    category: {
      enum: ['tsdb', 'logging', 'cloud', 'tracing', 'profiling', 'sql', 'enterprise', 'iot', 'other'],
    },
    backend: {
      type: 'boolean',
    },
    metrics: {
      type: 'boolean',
    },
    annotations: {
      type: 'boolean',
    },
    logs: {
      type: 'boolean',
    },
  },
};
