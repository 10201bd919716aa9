/**
 * The static files Grafana serves from public/ that @grafana/ui asks for by URL: the Unicons icons
 * (public/build/img/icons/{unicons,solid}/<name>.svg, components/Icon/utils.mjs getIconPath) and the
 * Inter web fonts of its global styles (public/fonts/inter/*.woff2, GlobalStyles/fonts.mjs).
 * Grafana bundles them from Iconscout's Unicons and rsms' Inter; the stand-in serves the same families
 * from their npm packages. Grafana's own custom/mono icons (gf-*, the logo) are not published: 404.
 */
import path from 'node:path';

const INTER: Record<string, string> = {
  'Inter-Regular.woff2': 'inter-latin-400-normal.woff2',
  'Inter-Medium.woff2': 'inter-latin-500-normal.woff2',
  'Inter-Italic.woff2': 'inter-latin-400-italic.woff2',
  'Inter-MediumItalic.woff2': 'inter-latin-500-italic.woff2',
};

const ICON_SETS: Record<string, string> = { unicons: 'line', solid: 'solid' };

const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** The file for a path below /public/, or null when the stand-in does not have it. */
export function grafanaAsset(publicPath: string): string | null {
  let m: RegExpMatchArray | null;
  if ((m = publicPath.match(/^\/public\/fonts\/inter\/([A-Za-z-]+\.woff2)$/)) && INTER[m[1]!]) {
    return path.join(packageDir('@fontsource/inter'), 'files', INTER[m[1]!]!);
  }
  if ((m = publicPath.match(/^\/public\/build\/img\/icons\/(unicons|solid)\/([a-z0-9-]+)\.svg$/))) {
    return path.join(packageDir('@iconscout/unicons'), 'svg', ICON_SETS[m[1]!]!, `${m[2]}.svg`);
  }
  return null;
}
