// Entry of every worker thread: loads the TypeScript worker module named in workerData through tsx,
// so workers run from source like the CLI (no build step), in Node and under vitest alike.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.module)
