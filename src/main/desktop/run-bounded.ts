// Runs one helper command (the Electron download, prebuild-install, node-gyp) with a hard time limit, so no
// step of `npm start` or `npm run dist` can hang on a machine whose network is missing or stalls.
import { spawn } from 'node:child_process'

/** What a bounded run produced. */
export interface RunOutcome {
  /** Exit code, or null when the process was killed (by the limit or a signal). */
  code: number | null
  /** True when the time limit ended it. */
  timedOut: boolean
  /** The last few kilobytes of its stderr and stdout together: enough to explain a failure in one line. */
  outputTail: string
  /** Set when the command could not be started at all (ENOENT, EACCES). */
  startError?: string
}

/** How to run one command: what the fetchers take, so tests can simulate every failure without a network. */
export type CommandRunner = (command: string, args: readonly string[], options: RunOptions) => Promise<RunOutcome>

/** Options of a bounded run. */
export interface RunOptions {
  cwd: string
  timeoutMs: number
  env?: NodeJS.ProcessEnv
}

const tailLimit = 8 * 1024

/** Keeps only the end of a growing text: what a failing tool printed last is what explains it. */
function appendTail(tail: string, chunk: string): string {
  const joined = tail + chunk
  return joined.length > tailLimit ? joined.slice(joined.length - tailLimit) : joined
}

/** The real runner: spawns in its own process group and kills the whole group when the limit is reached. */
export const runBounded: CommandRunner = (command, args, options) =>
  new Promise((resolve) => {
    let outputTail = ''
    let timedOut = false
    const detached = process.platform !== 'win32'
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached })
    const collect = (chunk: Buffer): void => {
      outputTail = appendTail(outputTail, chunk.toString('utf8'))
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const timer = setTimeout(() => {
      timedOut = true
      // A download helper may have children of its own (node-gyp runs make): end the group, not just the head.
      try {
        if (detached && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
        else child.kill('SIGKILL')
      } catch {
        // already gone
      }
    }, options.timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({ code: null, timedOut: false, outputTail, startError: err.message })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, timedOut, outputTail })
    })
  })

/** The most telling line of a tool's output: the last one that looks like an error, else the last non-empty one. */
export function lastMeaningfulLine(output: string): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    // Stack frames and node-gyp's closing boilerplate say nothing about the cause.
    .filter((l) => l.length > 0 && !/^at\s/.test(l) && !/^gyp ERR! (stack\s+at|not ok|cwd|command|node -v|node-gyp -v|System)\b/.test(l))
  const errorLine = [...lines].reverse().find((l) => /error|failed|ENOTFOUND|ECONN|EAI_AGAIN|ETIMEDOUT|404|403/i.test(l))
  const line = errorLine ?? lines.at(-1) ?? ''
  return line.length > 200 ? `${line.slice(0, 197)}...` : line
}
