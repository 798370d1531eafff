import { main } from '../cli/main'
import type { CliIo } from '../cli/output'

/** What one in-process CLI call printed and returned. */
export interface CliOutcome {
  code: number
  out: string
  err: string
}

/** Runs the `workbench` CLI in this process with the given leading arguments (e.g. --db, --workspace) and captures its output. */
export function cliRunner(common: () => string[]): (...args: string[]) => Promise<CliOutcome> {
  return async (...args) => {
    let out = ''
    let err = ''
    const io: CliIo = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), errInline: (t) => (err += t), interactive: false }
    const code = await main([...common(), ...args], io)
    return { code, out, err }
  }
}
