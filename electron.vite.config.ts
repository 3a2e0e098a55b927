import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const alias = { '@shared': resolve(import.meta.dirname, 'src/shared') };

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The CLI and the loopback host share main's services, so they are built from the same graph.
        // scripts/start.mjs loads electron-runtime after the build to decide between window and loopback host.
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          cli: resolve(import.meta.dirname, 'src/cli/index.ts'),
          // Imports (PKCS#12 KDFs, big bundles) run in this worker thread, off the main event loop.
          'pki-import-worker': resolve(import.meta.dirname, 'src/main/services/pki/import-worker.ts'),
          // The vault's Argon2id runs in this worker thread, so unlocking never stalls the event loop.
          'vault-kdf-worker': resolve(import.meta.dirname, 'src/main/services/vault/kdf-worker.ts'),
          'electron-runtime': resolve(import.meta.dirname, 'src/main/services/app/electron-runtime.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only electron: bundle the contract (and zod) into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        // Sandboxed preloads cannot be ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias },
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});
