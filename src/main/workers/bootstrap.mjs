// Entry of every worker thread run from source (the CLI, `workbench serve`, vitest): loads the TypeScript worker
// module named in workerData through tsx, so workers need no build step there. The built app starts its workers'
// own files in out/main instead (see worker-entry.ts).
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.module)
