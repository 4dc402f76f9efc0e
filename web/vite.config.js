import { defineConfig } from 'vite';

// The server serves dist/ itself; hashed files under /assets are cached for a year there.
export default defineConfig({
  build: { outDir: 'dist', assetsDir: 'assets', target: 'es2019', sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/ws': { target: 'ws://127.0.0.1:8080', ws: true } } },
});
