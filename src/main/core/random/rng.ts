/**
 * A seeded pseudo-random generator. Every random choice in the workbench (splits, slices, augmentation,
 * initialisation) draws from one of these, created from a stored seed, so any result can be replayed.
 */
export interface Rng {
  /** The seed this generator was created from. */
  readonly seed: number
  /** A float uniform in [0, 1). */
  next(): number
  /** An integer uniform in [0, n). */
  int(n: number): number
  /** A new array with the items in a uniformly random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[]
}

/** Expands a 32-bit seed into well-mixed state words (SplitMix32 finaliser). */
function splitMix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0
  let z = state.x
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/**
 * Creates a seeded generator (SFC32: small, fast, passes PractRand to large sizes; plenty for sampling).
 * Seeds are non-negative integers; seeds above 2^32 are folded.
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`)
  const mix = { x: (seed % 0x100000000) ^ Math.floor(seed / 0x100000000) }
  let a = splitMix32(mix)
  let b = splitMix32(mix)
  let c = splitMix32(mix)
  let d = splitMix32(mix)
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  // Discard the first outputs: SFC32 needs a few rounds to decorrelate from the seed words.
  for (let i = 0; i < 12; i++) nextUint32()
  const next = (): number => nextUint32() / 0x100000000
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`)
    return Math.floor(next() * n)
  }
  return {
    seed,
    next,
    int,
    shuffle<T>(items: readonly T[]): T[] {
      const out = items.slice()
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1)
        const tmp = out[i] as T
        out[i] = out[j] as T
        out[j] = tmp
      }
      return out
    },
  }
}

/** FNV-1a hash of a string to 32 bits, to turn labels (case ids, stage names) into seeds. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * A generator for one labelled part of a seeded computation (e.g. one volume of a plan): its stream
 * depends only on the seed and the labels, so a volume draws the same slices whichever other volumes
 * are in the plan, and adding a stage never shifts the draws of another.
 */
export function deriveRng(seed: number, ...labels: (string | number)[]): Rng {
  const derived = fnv1a(`${seed}\u0000${labels.join('\u0000')}`)
  return createRng(derived)
}
