/**
 * A minimal AMD loader, as Grafana's SystemJS does for plugins: a plugin's module.js is an
 * anonymous `define([...deps], factory)`; its deps are the modules Grafana shares with plugins.
 */
type Factory = (...deps: unknown[]) => unknown;

let pending: { deps: string[]; factory: Factory } | null = null;

export function installDefine(): void {
  const define = (deps: string[], factory: Factory) => {
    pending = { deps, factory };
  };
  (define as unknown as { amd: object }).amd = {};
  (window as unknown as { define: unknown }).define = define;
}

/** Loads `url` with a script tag and returns its exports, resolving deps from `shared`. */
export function loadAmd(url: string, shared: Record<string, unknown>): Promise<Record<string, unknown>> {
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
            throw new Error(`${url} needs "${name}", which Grafana would share but the host does not`);
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
