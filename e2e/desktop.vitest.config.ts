// The desktop smoke test's own vitest configuration: run only by `npm run test:desktop` (desktop-smoke.mjs), which
// starts it under Xvfb once the Electron binary and its SQLite binding are known to be there.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('..', import.meta.url))

export default defineConfig({
  test: {
    root,
    include: ['e2e/desktop-app.electron.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    poolOptions: { forks: { singleFork: true } },
  },
})
