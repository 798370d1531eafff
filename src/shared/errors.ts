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

type Issue = z.core.$ZodIssue

/** An issue in words: unknown keys by name ("unknown key 'stepz'"), anything else in the schema's words. */
export function issueProblem(issue: Issue): string {
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `'${k}'`).join(', ')
    return `unknown key${issue.keys.length === 1 ? '' : 's'} ${names}`
  }
  return issue.message
}

/** The issue to report: an unknown key first, since a misspelt key often explains the other problems. */
export function firstIssue(issues: readonly Issue[]): Issue | undefined {
  return issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]
}

/**
 * Parses input with a schema; a failure becomes an InputError about the first problem: its source is
 * `sourceOf(path)`, with path the offending field's dotted path ('' for the input as a whole; for unknown keys,
 * the object that holds them).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, sourceOf: (path: string) => string): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = firstIssue(parsed.error.issues)
  throw new InputError(sourceOf(issue?.path.join('.') ?? ''), issue ? issueProblem(issue) : 'invalid')
}

/**
 * Refuses keys a strict schema does not know, leaving every other problem to the parse that follows (which may
 * name another source): for a file whose content is merged with options before it is parsed.
 */
export function refuseUnknownKeys(schema: z.ZodType, input: unknown, sourceOf: (path: string) => string): void {
  const parsed = schema.safeParse(input)
  const issue = parsed.success ? undefined : parsed.error.issues.find((i) => i.code === 'unrecognized_keys')
  if (issue) throw new InputError(sourceOf(issue.path.join('.')), issueProblem(issue))
}
