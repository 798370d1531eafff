// The main process's doors onto the worker threads: training, interpolation and dataset import. Besides being
// imported by the app, this module is an entry of the main build (out/main/runners.js) that imports nothing of
// Electron, so plain Node can load the BUILT runners and workers and check them (e2e/built-workers.e2e.ts).
export { importOnWorker } from '../app/import-on-worker'
export { interpolationOnWorkers } from './executors'
export { trainOnWorker } from './train-runner'
export { workerEntry } from './worker-entry'
export { workerNames } from './worker-files'
