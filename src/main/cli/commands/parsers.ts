import { InvalidArgumentError } from 'commander'

/** Option parsers shared by the verbs; each turns a bad value into a usage error (exit 2) naming it. */

/** A seed: a non-negative integer. */
export function parseSeed(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('the seed is a non-negative integer')
  return n
}

/** A positive integer, described as `what` in the error. */
export function positiveInteger(what: string): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} is a positive integer, got "${value}"`)
    return n
  }
}

/** A frame or channel index (--frame, --channel of import and info): a whole number ≥ 0. */
export function indexArg(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${option} is a whole number ≥ 0 (0 is the first), got "${value}"`)
    return n
  }
}

/** One of a fixed set of names. */
export function oneOf<T extends string>(values: readonly T[], what: string): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`${what} is one of ${values.join(', ')}`)
    return value as T
  }
}
