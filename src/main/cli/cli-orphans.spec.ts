// Issue 14 item 6: kill -9 leaves files no record refers to. The next `workbench` open removes them (only in the
// workspace, only the folders the workbench writes) and says on stderr how much it freed.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sampleDataDir } from '../test-support/shared-data'

const bin = resolve('src/main/cli/bin.mjs')

/** Runs `workbench` as its own process and resolves with what it printed. */
function workbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** Files under a folder, recursively (relative paths). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}

/** Starts `workbench args`, kills it with SIGKILL as soon as `ready()` holds, and waits for it to end. */
async function killWhen(args: string[], ready: () => boolean): Promise<boolean> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' })
  const ended = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  let exited = false
  void ended.then(() => (exited = true))
  const deadline = Date.now() + 60_000
  while (!ready() && !exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  const killed = !exited && child.kill('SIGKILL')
  await ended
  return killed
}

describe('files left by kill -9', () => {
  it('an import killed while it wrote: its staged files are removed at the next open, which says how much it freed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wb-cli-orphans-'))
    const workspace = join(root, 'ws')
    const common = ['--db', join(root, 'w.db'), '--workspace', workspace, '--no-sample']
    // Create the store first, so the killed process spends its time writing volumes.
    expect((await workbench([...common, 'datasets'])).code).toBe(0)
    const staged = (): string[] => filesUnder(join(workspace, 'staging')).filter((f) => f.endsWith('.nii.gz'))
    const killed = await killWhen([...common, 'import', sampleDataDir, '--name', 'big', '--spacing', '0.5,0.5,0.5'], () => staged().length >= 2)
    expect(killed).toBe(true)
    expect(staged().length).toBeGreaterThanOrEqual(2)

    const next = await workbench([...common, 'datasets', '--json'])
    expect(next.code).toBe(0)
    expect(JSON.parse(next.stdout)).toEqual([])
    expect(next.stderr).toMatch(/^workbench: removed \d+ files \([\d.]+ [KM]B\) that interrupted work left in .* and no record refers to\n$/)
    expect(readdirSync(join(workspace, 'staging'))).toEqual([])
    // The name is free: an import of it now succeeds with every file in place.
    const again = await workbench([...common, 'import', sampleDataDir, '--name', 'big', '--shape', '16,16,8'])
    expect(again.stderr).toBe('')
    expect(again.stdout).toMatch(/imported big: 20 volumes/)
    expect(filesUnder(join(workspace, 'datasets', 'big')).filter((f) => f.endsWith('.nii.gz'))).toHaveLength(40)
    // Nothing left to remove: the open after that says nothing.
    expect((await workbench([...common, 'datasets'])).stderr).toBe('')
  }, 120_000)

  it('an interpolation killed while it wrote masks: the next open marks its run interrupted and removes the masks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wb-cli-orphans-'))
    const workspace = join(root, 'ws')
    const common = ['--db', join(root, 'w.db'), '--workspace', workspace, '--no-sample']
    // Upsampled, so each volume takes long enough to be caught between two masks.
    expect((await workbench([...common, 'import', sampleDataDir, '--name', 'up', '--spacing', '0.5,0.5,0.5'])).code).toBe(0)
    const plan = JSON.parse((await workbench([...common, 'plan', '--dataset', 'up', '--density', '0.2', '--volumes', '1', '--method', 'fixed', '--json'])).stdout) as { planId: number }
    const masks = (): string[] => filesUnder(join(workspace, 'interpolations')).filter((f) => f.endsWith('.nii.gz'))
    const killed = await killWhen([...common, 'interpolate', '--plan', String(plan.planId), '--method', 'propagate', '--workers', '1'], () => masks().length >= 1)
    expect(killed).toBe(true)
    expect(masks().length).toBeGreaterThanOrEqual(1)

    const next = await workbench([...common, 'runs', '--json'])
    expect(next.code).toBe(0)
    expect(next.stderr).toMatch(/^workbench: removed \d+ files? \([\d.]+ [KM]?B\) that interrupted work left in /)
    const runs = JSON.parse(next.stdout) as { kind: string; status: string; error: string | null }[]
    expect(runs).toEqual([expect.objectContaining({ kind: 'interpolation', status: 'failed', error: expect.stringMatching(/^interrupted: process \d+ ended while the run was running/) })])
    expect(masks()).toEqual([])
    // The dataset's own files are untouched.
    expect(filesUnder(join(workspace, 'datasets', 'up')).filter((f) => f.endsWith('.nii.gz'))).toHaveLength(40)
  }, 120_000)
})
