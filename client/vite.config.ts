import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The hub serves client/dist on its own port; `npm run dev` proxies the API and socket to it. */
const hub = process.env.GIAOBAN_HUB ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      '/api': hub,
      '/socket.io': { target: hub, ws: true },
    },
  },
});
