// Builds the three Electron entry points from the project's own folders.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

const root = dirname(fileURLToPath(import.meta.url))
const alias = { '@shared': resolve(root, 'shared') }

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: resolve(root, 'src-main/index.ts') },
        // Loaded from node_modules at run time (electron-builder packs the dependencies): ssh2 for
        // its native crypto binding; pino and pino-roll as they are (pino-roll runs in-thread as a
        // stream, not as a transport, so no worker file is needed).
        external: ['ssh2', 'pino', 'pino-roll'],
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'src-main/preload/index.ts') },
        // One CJS file, so the preload works inside the sandbox.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    resolve: { alias },
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
})
