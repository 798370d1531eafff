import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { repoRoot } from '../test-support/shared-data'
import { isSourceModule, startWorker, workerEntry } from './worker-entry'
import { workerFiles, workerNames } from './worker-files'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

describe('workerEntry', () => {
  it('from source, starts bootstrap.mjs on the TypeScript module of every worker', () => {
    for (const name of workerNames) {
      const entry = workerEntry(name)
      expect(entry.file).toBe(join(repoRoot, 'src/main/workers/bootstrap.mjs'))
      expect(entry.module).toBe(pathToFileURL(join(repoRoot, 'src/main', workerFiles[name])).href)
      expect(existsSync(new URL(entry.module ?? ''))).toBe(true)
    }
  })

  it('from the bundle, starts the built file beside it, with no loader', () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-worker-entry-'))
    for (const name of workerNames) writeFileSync(join(dir, `${name}.js`), '')
    const bundle = pathToFileURL(join(dir, 'chunk-Ab12.js')).href
    for (const name of workerNames) expect(workerEntry(name, bundle)).toEqual({ file: join(dir, `${name}.js`) })
  })

  it('from the bundle, names a worker file missing from the build instead of starting a worker that dies', () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-worker-entry-'))
    const bundle = pathToFileURL(join(dir, 'index.js')).href
    expect(() => workerEntry('train.worker', bundle)).toThrow(`the worker file ${join(dir, 'train.worker.js')} is missing from the build`)
  })

  it('tells source modules from built ones', () => {
    expect(isSourceModule(import.meta.url)).toBe(true)
    expect(isSourceModule('file:///app/src/main/workers/worker-entry.mts')).toBe(true)
    expect(isSourceModule('file:///app/out/main/index.js')).toBe(false)
    expect(isSourceModule('file:///app.asar/out/main/train-runner-Ab12.js')).toBe(false)
  })
})

describe('startWorker', () => {
  it('runs a built (plain JavaScript) worker file directly, handing it its workerData', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-worker-entry-'))
    const file = join(dir, 'echo.worker.js')
    writeFileSync(file, "import { parentPort, workerData } from 'node:worker_threads'\nparentPort.postMessage(workerData)\n")
    const worker = startWorker({ file }, { answer: 42 })
    const message = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))
    await worker.terminate()
    // Every worker also gets the process's GPU lock (process-gpu.ts), shared, not copied.
    expect(message).toEqual({ answer: 42, gpuInitLock: expect.any(SharedArrayBuffer) })
  })
})
