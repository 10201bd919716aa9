import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const require = createRequire(import.meta.url);
// The same module file @grafana/runtime's index re-exports PluginPage from, so setting it here
// changes what plugins render (Grafana's app does this at start-up; the setter is not exported).
const runtimeEsm = path.join(path.dirname(require.resolve('@grafana/runtime')), '..', 'esm');

// The stand-in's page: Grafana's shared modules and services. The server (server/stand-in.ts)
// writes the HTML with the boot data and loads public/standin/assets/standin.js relative to <base href>.
export default defineConfig({
  root: __dirname,
  base: './',
  plugins: [react()],
  define: { global: 'globalThis', 'process.env.NODE_ENV': JSON.stringify('production') },
  resolve: {
    alias: { 'grafana-runtime-plugin-page': path.join(runtimeEsm, 'components', 'PluginPage.mjs') },
  },
  build: {
    // dist/server is the stand-in's server (tsc -p host/server).
    outDir: 'dist/page',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 20_000,
    rollupOptions: {
      input: path.join(__dirname, 'src', 'main.tsx'),
      output: {
        entryFileNames: 'assets/standin.js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  logLevel: 'warn',
});
