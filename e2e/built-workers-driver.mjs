// Run by e2e/built-workers.e2e.ts with plain `node` (no tsx, no vitest): loads the BUILT runners from out/main and
// runs one real job on each built worker. Argument: a JSON file { outMain, importJob, volumeTask, trainJob, webgpuJob }.
// Prints one JSON line with what came back; any failure exits non-zero with the error on stderr.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const runners = await import(pathToFileURL(join(jobs.outMain, 'runners.js')).href)

// The bundled resolver, as the app calls it: every worker must resolve to a built file (it throws when one is missing).
const entries = Object.fromEntries(runners.workerNames.map((name) => [name, runners.workerEntry(name)]))

const importProgress = []
const summary = await runners.importOnWorker(jobs.importJob, { onProgress: (done, total, caseId) => importProgress.push({ done, total, caseId }) })

const interpolationProgress = []
const [interpolation] = await runners.interpolationOnWorkers([jobs.volumeTask], { workers: 1, onProgress: (done, total) => interpolationProgress.push([done, total]) })

const trainPhases = []
const trained = await runners.trainOnWorker(jobs.trainJob, { onProgress: (p) => trainPhases.push(p.phase) })

// The same job forced onto webgpu: Dawn's N-API addon and TF.js's WebGPU backend loaded by the built worker.
let webgpu
try {
  const r = await runners.trainOnWorker(jobs.webgpuJob)
  webgpu = { backend: r.backend, adapter: r.adapter, curve: r.curve.map((p) => p.loss) }
} catch (e) {
  webgpu = { error: e instanceof Error ? e.message : String(e) }
}

process.stdout.write(
  `${JSON.stringify({
    loaderFree: process.execArgv.length === 0,
    entries,
    import: { summary, progress: importProgress },
    interpolation: { iou: interpolation.iou, dice: interpolation.dice, slices: interpolation.slices.length, progress: interpolationProgress },
    train: { backend: trained.backend, threads: trained.threads, steps: trained.steps, curve: trained.curve.map((p) => p.step), checkpoint: trained.checkpoint, phases: [...new Set(trainPhases)] },
    webgpu,
  })}\n`,
)
