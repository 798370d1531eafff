/**
 * The worker-thread entry files, by the name of their built file (out/main/<name>.js), each with its source
 * path under src/main. One table for both sides: electron.vite.config.ts makes each an entry of the main
 * bundle, and workerEntry (worker-entry.ts) starts the built file or, from source, the TypeScript one.
 */
export const workerFiles = {
  'train.worker': 'workers/train.worker.ts',
  'interpolate.worker': 'workers/interpolate.worker.ts',
  'import.worker': 'app/import.worker.ts',
} as const

/** The name of a worker entry (its built file is out/main/<name>.js). */
export type WorkerName = keyof typeof workerFiles

/** Every worker name, in table order. */
export const workerNames = Object.keys(workerFiles) as WorkerName[]
