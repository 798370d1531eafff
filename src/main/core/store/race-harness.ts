// For the concurrency specs: TypeScript scripts run as separate node processes (through tsx) and released at
// the same instant, so they really race on one store. Processes, not threads: SQLite's locks are per connection,
// and a child script in a temp file (not `node -e`) is what a second `workbench` process is.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface ScriptOutcome {
  code: number | null
  stdout: string
  stderr: string
}

/** A module of this repository, as an import specifier a script in a temp folder can use. */
export function moduleUrl(path: string): string {
  return pathToFileURL(path).href
}

/**
 * Waits (inside a child) until every child of the race is loaded, then returns: heavy imports are done before
 * the race starts, so the processes hit the store within a millisecond or two of one another.
 */
export async function barrier(): Promise<void> {
  const dir = process.env.WB_RACE_DIR
  if (!dir) throw new Error('WB_RACE_DIR is not set: run the script through runRace')
  writeFileSync(join(dir, `ready-${process.pid}`), '')
  while (!existsSync(join(dir, 'go'))) await new Promise((r) => setTimeout(r, 1))
}

/** Runs `count` copies of `source` (a TypeScript module that calls barrier()) at once; resolves with each outcome. */
export async function runRace(source: string, count: number, args: (i: number) => string[] = () => [], timeoutMs = 60_000): Promise<ScriptOutcome[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-race-'))
  // .mts: an ES module wherever it lies (top-level await, import), with no package.json beside it.
  const script = join(dir, 'script.mts')
  writeFileSync(script, source)
  let ended = 0
  const runs = Array.from({ length: count }, (_, i) =>
    new Promise<ScriptOutcome>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', script, ...args(i)], { cwd: process.cwd(), env: { ...process.env, WB_RACE_DIR: dir }, timeout: timeoutMs }, (err, stdout, stderr) => {
        ended++
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr })
      })
    }),
  )
  const start = Date.now()
  const ready = (): number => readdirSync(dir).filter((f) => f.startsWith('ready-')).length
  // A child that failed before the barrier ends the wait too.
  while (ready() + ended < count && Date.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 20))
  writeFileSync(join(dir, 'go'), '')
  return Promise.all(runs)
}
