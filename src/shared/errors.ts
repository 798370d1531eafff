/**
 * An error caused by the user's input (a file, a folder, a name, an option), as opposed to a bug.
 * It carries the offending source (file path, folder, dataset name) so every message names it.
 */
export class InputError extends Error {
  override readonly name = 'InputError'
  constructor(
    /** The file, folder or name the problem is about. */
    readonly source: string,
    /** What is wrong with it, in plain words. */
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`)
  }
}

/** True when a value is an InputError (also across realms, where instanceof fails). */
export function isInputError(value: unknown): value is InputError {
  return value instanceof Error && value.name === 'InputError' && 'source' in value && 'problem' in value
}
