// One line of progress for a long step: rewritten in place on a terminal (elapsed seconds), and in a log file or
// CI the label first and the result appended to the same line, so a slow download shows it is alive without
// flooding the log.

/** Where progress is written; process.stderr by default. */
export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

/** A running progress line: finish it with done(result) exactly once. */
export interface ProgressLine {
  done(result: string): void
}

/** Starts a progress line `label…` that shows elapsed seconds on a terminal; returns its finisher. */
export function startProgressLine(label: string, stream: ProgressStream = process.stderr, now: () => number = Date.now): ProgressLine {
  const started = now()
  const elapsed = (): string => `${Math.round((now() - started) / 1000)} s`
  const tty = stream.isTTY === true
  // Not a terminal: the label now, the result appended to the same line when the step ends.
  stream.write(tty ? `${label}… 0 s` : `${label}… `)
  const timer = tty ? setInterval(() => stream.write(`\r${label}… ${elapsed()}`), 1000) : undefined
  timer?.unref()
  let finished = false
  return {
    done(result) {
      if (finished) return
      finished = true
      if (timer) clearInterval(timer)
      stream.write(tty ? `\r${label}… ${result} (${elapsed()})\n` : `${result} (${elapsed()})\n`)
    },
  }
}
