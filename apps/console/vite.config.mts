// Builds the web console into dist/apps/console (served at /console by the gateway and by intake).
// Run through scripts/console-build.ts (`npm start` builds it when stale); docs/adr/0017-console-react-vite.md.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

const apiUrl = process.env['CONSOLE_API_URL'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here('.'),
  base: '/console/',
  // Vite's own esbuild transform compiles TSX: no React plugin (and no Babel) is needed for a production build.
  esbuild: { jsx: 'automatic' },
  resolve: { alias: { '@sms/api-client': here('../../libs/shared/api-client/src/index.ts') } },
  build: {
    outDir: here('../../dist/apps/console'),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  // `npx vite --config apps/console/vite.config.mts`: hot reload against a running gateway (CONSOLE_API_URL).
  server: { proxy: { '/v1': apiUrl, '/sim': apiUrl } },
});
