import type { z } from 'zod'

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

/**
 * Parses input with a schema; a failure becomes an InputError about the first problem: its source is
 * `sourceOf(path)`, with path the offending field's dotted path ('' for the input as a whole).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, sourceOf: (path: string) => string): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new InputError(sourceOf(issue?.path.join('.') ?? ''), issue?.message ?? 'invalid')
}
