// Build of the three Electron bundles: main (ESM, Node deps external), preload (CommonJS, self-contained,
// because a sandboxed preload is run as a classic script and may only require 'electron'), renderer (Vue).
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { apiChannels, apiEvents } from './src/shared/api'
import { rendererCspMeta, rendererDevCspMeta } from './src/main/ipc/csp'
import { workerFiles } from './src/main/workers/worker-files'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * The main bundle's entries: the app, every worker thread (a worker is started from a file, so each needs its
 * own: out/main/<name>.js, see src/main/workers/worker-entry.ts), and the runners module that plain Node loads
 * to check the built workers without Electron.
 */
const mainEntries: Record<string, string> = {
  index: resolve(root, 'src/main/index.ts'),
  runners: resolve(root, 'src/main/workers/runners.ts'),
  ...Object.fromEntries(Object.entries(workerFiles).map(([name, file]) => [name, resolve(root, 'src/main', file)])),
}

/**
 * Writes the one CSP definition into index.html's <meta> (placeholder __WORKBENCH_CSP__): the production policy
 * in a build, the development one (inline styles for hot reload) when the dev server serves the page.
 */
function cspMeta(): Plugin {
  return {
    name: 'workbench-csp-meta',
    transformIndexHtml(html, ctx) {
      if (!html.includes('__WORKBENCH_CSP__')) throw new Error('src/renderer/index.html lost its __WORKBENCH_CSP__ placeholder')
      return html.replace('__WORKBENCH_CSP__', ctx.server ? rendererDevCspMeta : rendererCspMeta)
    },
  }
}

/** The shared map's channel and event names, written into the preload so it can refuse others (ipc/channel-guard.ts). */
export const preloadDefines = {
  __WORKBENCH_API_CHANNELS__: JSON.stringify(Object.keys(apiChannels)),
  __WORKBENCH_API_EVENTS__: JSON.stringify(Object.keys(apiEvents)),
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // better-sqlite3, zod, commander, tfjs and its wasm backend (with its .wasm files) … stay in node_modules:
      // native modules cannot be bundled, and the wasm backend finds its binaries beside its own package files.
      externalizeDeps: true,
      rollupOptions: {
        input: mainEntries,
        // Chunks sit flat beside the entries, so any bundled module finds a worker file at ./<name>.js.
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    define: preloadDefines,
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle everything: a sandboxed preload cannot load modules from node_modules.
      externalizeDeps: false,
      lib: { entry: resolve(root, 'src/main/preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [vue(), cspMeta()],
    // The inspector starts its surface workers as module workers; build them as ES modules to match.
    worker: { format: 'es' },
    // electron-vite takes src/renderer/index.html as the input.
    build: { outDir: resolve(root, 'out/renderer') },
  },
})
