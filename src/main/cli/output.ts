import { userLine } from '../app/error-log'

/** Where the CLI writes; injectable so tests can capture output without spawning a process. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  /** Writes to stderr as is, for redrawing a progress line in place. */
  errInline(text: string): void
  /** True when stderr is a terminal (progress bars are drawn only then). */
  interactive: boolean
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  errInline: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
}

/** Prints a value as one JSON document. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2))
}

/** Prints rows as an aligned plain-text table. */
export function printTable(io: CliIo, headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)))
  for (const row of cells) io.out(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd())
}

/** A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal. */
export function progressBar(io: CliIo, label: string): { update(done: number, total: number, note?: string): void; end(): void } {
  let drawn = false
  return {
    update(done, total, note = '') {
      if (!io.interactive) return
      const width = 30
      const filled = total > 0 ? Math.round((done / total) * width) : 0
      io.errInline(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${note}\u001b[K`)
      drawn = true
    },
    end() {
      if (drawn) io.errInline('\n')
    },
  }
}

/** The one-line message for an error: input errors name their source, other errors their message's first line. */
export function describeError(err: unknown): string {
  return userLine(err)
}

/** A misuse of the command line found inside a verb (a missing option that depends on others): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/**
 * Ends a verb that has printed its outcome with a non-zero exit code and nothing more to say: 1 when some of
 * its work failed (a sweep's trials), 130 when Ctrl+C paused it. Thrown, so main() returns the code in tests too.
 */
export class VerbExit extends Error {
  override readonly name = 'VerbExit'
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}
