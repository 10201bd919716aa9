import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Builds the host page: Grafana's shared modules (React, @grafana/*, rxjs, …) plus the
// services Grafana sets up; the plugin itself is loaded at run time from plugin/dist.
export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [react()],
  define: { global: 'globalThis' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 20_000 },
  logLevel: 'warn',
});
