// Extends the scaffolded config (.config/ stays as generated, see .config/README.md).
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import VirtualModulesPlugin from 'webpack-virtual-modules';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';
import { getPluginJson } from './.config/bundler/utils';

const { id } = getPluginJson();

/**
 * The base config derives each entry's public path from its own module URL, so the nested
 * plugins (datasource/, panels/beast-mode/) would look for the shared fonts and chunks, emitted
 * at the dist root, under their own folder. Resolve every entry to the app's root instead.
 */
const publicPath = new VirtualModulesPlugin({
  'node_modules/grafana-public-path.js': `
import amdMetaModule from 'amd-module';

var uri = amdMetaModule && amdMetaModule.uri;
var marker = '/${id}/';
var at = uri ? uri.lastIndexOf(marker) : -1;
__webpack_public_path__ = uri
  ? at >= 0
    ? uri.slice(0, at + marker.length)
    : uri.slice(0, uri.lastIndexOf('/') + 1)
  : 'public/plugins/${id}/';
`,
});

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []).filter((p) => !(p instanceof VirtualModulesPlugin)),
      publicPath,
      // Nested plugins keep their own logos (src/datasource/img, src/panels/beast-mode/img).
      new CopyWebpackPlugin({ patterns: [{ from: '*/**/img/*.svg', to: '[path][name][ext]' }] }),
    ],
  };
};

export default config;
