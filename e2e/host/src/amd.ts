/**
 * Loads plugin modules as Grafana's SystemJS loader does: a plugin's module.js (create-plugin's AMD
 * output) is an anonymous `define([...deps], factory)` whose deps are the modules Grafana shares with
 * plugins, plus `module` (its own URI, which create-plugin's public-path shim reads).
 * Which modules are shared depends on the Grafana release (the server computes the list from the
 * pinned version): a dependency Grafana would not share fails the import, as it does in Grafana.
 */
type Factory = (...deps: unknown[]) => unknown;

let pending: { deps: string[]; factory: Factory } | null = null;
const cache = new Map<string, Promise<Record<string, unknown>>>();

export function installDefine(): void {
  const define = (depsOrFactory: string[] | Factory, maybeFactory?: Factory) => {
    pending = Array.isArray(depsOrFactory)
      ? { deps: depsOrFactory, factory: maybeFactory! }
      : { deps: [], factory: depsOrFactory };
  };
  (define as unknown as { amd: object }).amd = {};
  (window as unknown as { define: unknown }).define = define;
}

/** Imports `path` (relative to <base href>, as Grafana's plugin paths are) once. */
export function importPluginModule(path: string, shared: Record<string, unknown>): Promise<Record<string, unknown>> {
  const url = new URL(path, document.baseURI).toString();
  let loading = cache.get(url);
  if (!loading) {
    loading = load(url, shared);
    cache.set(url, loading);
  }
  return loading;
}

function load(url: string, shared: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => {
      const definition = pending;
      pending = null;
      if (!definition) {
        reject(new Error(`${url} did not call define()`));
        return;
      }
      try {
        const deps = definition.deps.map((name) => {
          if (name === 'module') {
            return { uri: url };
          }
          if (!(name in shared)) {
            throw new Error(`Couldn't resolve "${name}" imported by ${url}: this Grafana release does not share it`);
          }
          return shared[name];
        });
        resolve(definition.factory(...deps) as Record<string, unknown>);
      } catch (error) {
        reject(error);
      }
    };
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
}
