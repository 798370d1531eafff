/**
 * A one-node Slurm cluster that a test starts and stops itself: Debian's Slurm 22.05 and MUNGE (installed with
 * apt when missing, as root), a slurm.conf for this machine's cores and memory as `slurmd -C` reads them
 * (cgroups off: proctrack/linuxproc, task/none), and munged, slurmctld and slurmd in the foreground as this
 * process's children, with their state, spool, key, socket and logs in one temp folder and on free ports —
 * so nothing is shared with a system Slurm or with an earlier run. `stop()` cancels the jobs and stops the
 * three daemons by PID. Daemons and job processes that a crashed earlier run left behind are found by their
 * folder (in their command line or their SLURM_CONF) and stopped at the next start.
 * There is no slurmdbd here, so `sacct` has nothing to read: jobs are followed with `squeue --states=all`
 * (finished jobs stay listed for MinJobAge).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

const packages = ['slurmctld', 'slurmd', 'slurm-client', 'munge']
const binaries = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scancel', 'munged']
const folderPrefix = 'wb-slurm-'
const nodeName = 'wbnode'
export const testPartition = 'wb'

/** Job states after which a job does nothing more. */
const endStates = new Set(['COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'])

interface Output {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to its end (or its timeout), collecting its output. */
function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Output> {
  return new Promise((done) => {
    const child = spawn(locate(command) ?? command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (err) => done({ code: null, stdout, stderr: `${stderr}${err.message}` }))
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

/** A program's absolute path: on PATH, or in /usr/sbin where Debian puts daemons (not on every PATH). */
function locate(binary: string): string | null {
  const dirs = [...(process.env.PATH ?? '/usr/bin:/bin').split(':'), '/usr/sbin', '/usr/bin']
  return dirs.map((dir) => join(dir, binary)).find((path) => existsSync(path)) ?? null
}

const onPath = (binary: string): boolean => locate(binary) !== null

/**
 * Why a Slurm test cannot run here, or null when it can (Slurm installed, or root with apt-get to install it).
 * Checked without side effects, at collection time.
 */
export function slurmUnavailable(): string | null {
  if (process.platform !== 'linux') return `Slurm test clusters run on Linux (this is ${process.platform})`
  if (binaries.every(onPath)) return null
  if (process.getuid?.() !== 0) return `Slurm is not installed and installing it needs root (apt-get install ${packages.join(' ')})`
  if (!onPath('apt-get')) return `Slurm is not installed and there is no apt-get to install it (${packages.join(' ')})`
  return null
}

/** Slurm could not be installed (no network, no package): outside CI the test skips with this as its reason. */
export class SlurmInstallError extends Error {
  override readonly name = 'SlurmInstallError'
}

/**
 * Installs Debian's Slurm and MUNGE when a binary is missing. Package scripts must not start the system's
 * own daemons (they would read /etc/slurm, which has no config): where no policy-rc.d says so already, one
 * is in place for the install and removed after.
 */
async function ensureInstalled(): Promise<void> {
  if (binaries.every(onPath)) return
  const policy = '/usr/sbin/policy-rc.d'
  const ownPolicy = !existsSync(policy)
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# written by the workbench Slurm test for the length of an install\nexit 101\n', { mode: 0o755 })
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const install = (): Promise<Output> =>
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=120', ...packages], { env, timeoutMs: 300_000 })
    let installed = await install()
    if (installed.code !== 0) {
      // A fresh machine's package lists may be missing or stale.
      await run('apt-get', ['update', '-qq', '-o', 'DPkg::Lock::Timeout=120'], { env, timeoutMs: 300_000 })
      installed = await install()
    }
    if (installed.code !== 0) throw new SlurmInstallError(`apt-get install ${packages.join(' ')} failed: ${installed.stderr.trim().split('\n').pop() ?? ''}`)
  } finally {
    if (ownPolicy) rmSync(policy, { force: true })
  }
  const missing = binaries.filter((b) => !onPath(b))
  if (missing.length > 0) throw new SlurmInstallError(`after installing ${packages.join(' ')}, ${missing.join(', ')} is still missing`)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGKILL to a process that may have ended meanwhile. */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // ended already
  }
}

function readProc(pid: string, file: 'cmdline' | 'environ'): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8').replace(/\0/g, ' ')
  } catch {
    return ''
  }
}

/** PIDs of processes tied to a cluster folder: its daemons (the folder in their command line) and its jobs (in their SLURM_CONF). */
export function processesOf(folder: string): number[] {
  const conf = `SLURM_CONF=${join(folder, 'slurm.conf')}`
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => readProc(p, 'cmdline').includes(folder) || readProc(p, 'environ').includes(conf))
    .map(Number)
}

/** Stops what earlier runs left: folders whose owning test process is gone, with their processes. */
function removeLeftovers(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(folderPrefix))) {
    const folder = join(tmpdir(), name)
    let owner: number
    try {
      owner = (JSON.parse(readFileSync(join(folder, 'owner.json'), 'utf8')) as { pid: number }).pid
    } catch {
      continue
    }
    if (alive(owner)) continue
    for (const pid of processesOf(folder)) killQuietly(pid)
    rmSync(folder, { recursive: true, force: true })
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** One task of a job as squeue lists it. */
export interface TaskState {
  /** e.g. 12_0, or 12 for a plain job. */
  id: string
  state: string
  reason: string
}

export interface TestCluster {
  /** The temp folder holding the config, state, logs and keys. */
  folder: string
  /** This process's environment with SLURM_CONF pointing at the cluster: pass it to sbatch, squeue, … */
  env: NodeJS.ProcessEnv
  /** CPUs of the one node (as slurmd -C reads them). */
  cpus: number
  partition: string
  /**
   * Submits a batch script from `cwd` with a login shell's environment (PATH, HOME, LANG, SLURM_CONF) plus
   * `env` — sbatch hands the submitter's environment to the tasks, and the test runner's must not leak into them.
   */
  sbatch(script: string, options?: { env?: Record<string, string>; cwd?: string }): Promise<string>
  /** The job's tasks (array tasks one by one), finished ones included. */
  tasks(jobId: string): Promise<TaskState[]>
  /** Waits until every task of the job has ended; returns their states. */
  waitForJob(jobId: string, timeoutMs: number): Promise<TaskState[]>
  scancel(id: string): Promise<void>
  /** The last lines of the daemons' logs, for a failing test's message. */
  logTail(): string
  /** Cancels every job and stops the daemons by PID; safe to call twice. */
  stop(): Promise<void>
}

/** Installs Slurm when missing, writes the config and starts munged, slurmctld and slurmd; see the module comment. */
export async function startTestCluster(): Promise<TestCluster> {
  await ensureInstalled()
  removeLeftovers()
  const folder = mkdtempSync(join(tmpdir(), folderPrefix))
  const children: ChildProcess[] = []
  const file = (...parts: string[]): string => join(folder, ...parts)
  for (const sub of ['munge', 'state', 'spool', 'logs']) mkdirSync(file(sub), { recursive: true, mode: 0o755 })
  // The next start removes this folder and its processes once this process is gone.
  writeFileSync(file('owner.json'), JSON.stringify({ pid: process.pid }))
  const env = { ...process.env, SLURM_CONF: file('slurm.conf') }
  // A crash of this process without stop() (an uncaught error, process.exit) still takes the daemons along.
  const killOnExit = (): void => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  }
  process.on('exit', killOnExit)

  const daemon = (command: string, args: string[], log: string): ChildProcess => {
    const child = spawn(locate(command) ?? command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const keep = (d: Buffer | string): void => appendFileSync(file('logs', log), d)
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    child.on('error', (err) => keep(`could not start ${command}: ${err.message}\n`))
    children.push(child)
    return child
  }

  const logTail = (): string =>
    ['munged.out', 'slurmctld.log', 'slurmd.log', 'slurmctld.out', 'slurmd.out']
      .filter((f) => existsSync(file('logs', f)))
      .map((f) => `--- ${f}\n${readFileSync(file('logs', f), 'utf8').trim().split('\n').slice(-8).join('\n')}`)
      .join('\n')

  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    try {
      const slurmctld = children[1]
      if (slurmctld && slurmctld.exitCode === null) {
        const jobs = await run('squeue', ['-h', '-o', '%A'], { env, timeoutMs: 10_000 })
        const ids = [...new Set(jobs.stdout.split('\n').map((l) => l.trim()).filter(Boolean))]
        if (ids.length > 0) {
          await run('scancel', ids, { env, timeoutMs: 10_000 })
          const deadline = Date.now() + 20_000
          while (Date.now() < deadline) {
            const left = await run('squeue', ['-h', '-o', '%T'], { env, timeoutMs: 10_000 })
            if (left.stdout.split('\n').every((s) => s.trim() === '' || endStates.has(s.trim()))) break
            await sleep(500)
          }
        }
      }
      // slurmd, slurmctld, then munged (the other two authenticate through it).
      for (const child of [...children].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue
        const exited = new Promise<void>((r) => child.once('exit', () => r()))
        child.kill('SIGTERM')
        if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
          child.kill('SIGKILL')
          await exited
        }
      }
      // Job processes that outlived their slurmstepd (a task ignoring SIGTERM).
      for (const pid of processesOf(folder)) killQuietly(pid)
    } finally {
      process.off('exit', killOnExit)
      rmSync(folder, { recursive: true, force: true })
    }
  }

  try {
    const host = hostname().split('.')[0] as string
    const probe = await run('slurmd', ['-C'])
    const nodeLine = probe.stdout.split('\n').find((l) => l.startsWith('NodeName='))
    if (!nodeLine) throw new Error(`slurmd -C did not describe this machine: ${probe.stderr.trim()}`)
    const cpus = Number(/CPUs=(\d+)/.exec(nodeLine)?.[1] ?? 1)
    const [controllerPort, nodePort] = [await freePort(), await freePort()]
    writeFileSync(file('munge', 'munge.key'), randomBytes(1024), { mode: 0o600 })
    const socket = file('munge', 'munge.socket')
    writeFileSync(
      file('slurm.conf'),
      [
        `ClusterName=wbtest`,
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmUser=root`,
        `SlurmdUser=root`,
        `SlurmctldPort=${controllerPort}`,
        `SlurmdPort=${nodePort}`,
        `AuthType=auth/munge`,
        `CredType=cred/munge`,
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${file('state')}`,
        `SlurmdSpoolDir=${file('spool')}`,
        `SlurmctldPidFile=${file('slurmctld.pid')}`,
        `SlurmdPidFile=${file('slurmd.pid')}`,
        `SlurmctldLogFile=${file('logs', 'slurmctld.log')}`,
        `SlurmdLogFile=${file('logs', 'slurmd.log')}`,
        `ProctrackType=proctrack/linuxproc`,
        `TaskPlugin=task/none`,
        `JobAcctGatherType=jobacct_gather/none`,
        `AccountingStorageType=accounting_storage/none`,
        `JobCompType=jobcomp/none`,
        `MpiDefault=none`,
        `SelectType=select/cons_tres`,
        `SelectTypeParameters=CR_Core_Memory`,
        `DefMemPerCPU=1024`,
        `ReturnToService=2`,
        // Finished jobs stay in squeue --states=all this long (there is no accounting database for sacct).
        `MinJobAge=3600`,
        `KillWait=10`,
        `${nodeLine.replace(/^NodeName=\S+/, `NodeName=${nodeName} NodeHostname=${host} NodeAddr=127.0.0.1`)} State=UNKNOWN`,
        `PartitionName=${testPartition} Nodes=${nodeName} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    )
    // munged refuses to run as root without --force (it would rather have its own user); this key is ours alone.
    daemon('munged', ['-F', '--force', `--socket=${socket}`, `--key-file=${file('munge', 'munge.key')}`, `--pid-file=${file('munge', 'munged.pid')}`, `--seed-file=${file('munge', 'seed')}`, `--log-file=${file('logs', 'munged.log')}`], 'munged.out')
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(100)
    if (!existsSync(socket)) throw new Error('munged did not open its socket within 10 s')
    daemon('slurmctld', ['-D', '-f', file('slurm.conf')], 'slurmctld.out')
    daemon('slurmd', ['-D', '-f', file('slurm.conf'), '-N', nodeName], 'slurmd.out')
    const deadline = Date.now() + 60_000
    let state = ''
    while (Date.now() < deadline) {
      const dead = children.find((c) => c.exitCode !== null)
      if (dead) throw new Error(`${dead.spawnfile} exited with code ${dead.exitCode}`)
      state = (await run('sinfo', ['-h', '-N', '-n', nodeName, '-o', '%T'], { env, timeoutMs: 10_000 })).stdout.trim()
      if (state === 'idle') break
      await sleep(300)
    }
    if (state !== 'idle') throw new Error(`the node did not become idle within 60 s (sinfo says "${state}")`)

    const tasks = async (jobId: string): Promise<TaskState[]> => {
      const out = await run('squeue', ['-h', '-r', '--states=all', '-j', jobId, '-o', '%i|%T|%r'], { env, timeoutMs: 10_000 })
      if (out.code !== 0) throw new Error(`squeue -j ${jobId}: ${out.stderr.trim()}`)
      return out.stdout
        .split('\n')
        .filter((l) => l.includes('|'))
        .map((l) => {
          const [id = '', state = '', reason = ''] = l.trim().split('|')
          return { id, state, reason }
        })
    }
    return {
      folder,
      env,
      cpus,
      partition: testPartition,
      async sbatch(script, options = {}) {
        const login = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: process.env.LANG ?? 'C.UTF-8', SLURM_CONF: file('slurm.conf') }
        const out = await run('sbatch', ['--parsable', script], { env: { ...login, ...options.env }, ...(options.cwd ? { cwd: options.cwd } : {}), timeoutMs: 30_000 })
        if (out.code !== 0) throw new Error(`sbatch ${script}: ${out.stderr.trim()}`)
        return out.stdout.trim().split(';')[0] as string
      },
      tasks,
      async waitForJob(jobId, timeoutMs) {
        const deadline = Date.now() + timeoutMs
        for (;;) {
          const list = await tasks(jobId)
          if (list.length > 0 && list.every((t) => endStates.has(t.state))) return list
          if (Date.now() > deadline) throw new Error(`job ${jobId} did not end within ${timeoutMs / 1000} s: ${list.map((t) => `${t.id} ${t.state}`).join(', ')}\n${logTail()}`)
          await sleep(1000)
        }
      },
      async scancel(id) {
        const out = await run('scancel', [id], { env, timeoutMs: 10_000 })
        if (out.code !== 0) throw new Error(`scancel ${id}: ${out.stderr.trim()}`)
      },
      logTail,
      stop,
    }
  } catch (err) {
    const tail = logTail()
    await stop()
    throw new Error(`the test Slurm cluster did not start: ${(err as Error).message}\n${tail}`)
  }
}
