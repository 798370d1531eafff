// The test configuration lives here because the user fixed the project's top level
// (package.json, electron.vite.config.ts, src/*, resources, e2e): `npm test` points vitest at this file.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('..', import.meta.url))

export default defineConfig({
  test: {
    root,
    projects: [
      {
        test: {
          name: 'unit',
          root,
          include: ['src/**/*.spec.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          root,
          include: ['e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One browser and one server at a time: the CI machine has 2 cores.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
})
