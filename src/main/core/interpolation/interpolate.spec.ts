import { describe, expect, it } from 'vitest'
import { isInputError } from '../../../shared/errors'
import { interpolateMask } from './interpolate'
import { run } from './spec-helpers'
import { syntheticVolume } from './synthetic'
import type { InterpolationInput } from './types'

const dims: [number, number, number] = [4, 3, 5]
const size = 60
const image = new Float32Array(size).map((_, i) => i % 7)
/** Label 1 on slices 1 and 3 (axis 2), one voxel each. */
function sparse(): Uint8Array {
  const s = new Uint8Array(size)
  s[12 + 5] = 1
  s[36 + 5] = 1
  return s
}

function problemOf(input: Partial<InterpolationInput>): string {
  try {
    interpolateMask({ image: syntheticVolume(dims, image), sparse: sparse(), annotated: [1, 3], method: 'sdf', ...input })
  } catch (e) {
    if (isInputError(e)) return e.problem
    throw e
  }
  return 'no error'
}

describe('interpolateMask input checks', () => {
  it('rejects annotated slices outside the volume, repeated ones, or none', () => {
    expect(problemOf({ annotated: [1, 5] })).toMatch(/slice 5 is outside 0\.\.4 along axis 2/)
    expect(problemOf({ annotated: [-1] })).toMatch(/outside/)
    expect(problemOf({ annotated: [1.5] })).toMatch(/outside/)
    expect(problemOf({ annotated: [3, 1, 3] })).toMatch(/slice 3 is listed twice/)
    expect(problemOf({ annotated: [] })).toMatch(/no annotated slices/)
  })

  it('rejects a sparse mask whose shape differs from the image', () => {
    expect(problemOf({ sparse: new Uint8Array(59) })).toMatch(/59 voxels but the image has 60/)
  })

  it('fills a volume whose annotated slices are all background with background, for every method', () => {
    for (const method of ['propagate', 'sdf', 'nearest'] as const) {
      const result = interpolateMask({ image: syntheticVolume(dims, image), sparse: sparse(), annotated: [0, 2], method })
      expect(result.dense.every((v) => v === 0), method).toBe(true)
      expect(result.slices.map((s) => s.source), method).toEqual(['annotated', 'empty', 'annotated', 'empty', 'empty'])
    }
  })

  it('accepts float labels that are whole numbers and rejects others', () => {
    const f = new Float32Array(sparse())
    expect(problemOf({ sparse: f })).toBe('no error')
    f[36 + 5] = 1.5
    expect(problemOf({ sparse: f })).toMatch(/label value 1\.5: labels must be whole numbers 0\.\.255/)
    const big = new Int16Array(sparse())
    big[12] = 300
    expect(problemOf({ sparse: big })).toMatch(/label value 300/)
  })

  it('rejects an unknown method', () => {
    expect(problemOf({ method: 'cubic' as 'sdf' })).toMatch(/unknown method "cubic"/)
  })

  it('ignores labels on unannotated slices', () => {
    const s = sparse()
    s[48] = 7 // slice 4 is not annotated
    const { dense } = run(dims, image, s, [1, 3], 'nearest')
    expect(dense.includes(7)).toBe(false)
  })
})

describe('interpolateMask results', () => {
  it('reports every slice with its source and its distance to the nearest annotated slice', () => {
    const { slices, dense } = run(dims, image, sparse(), [1, 3], 'sdf')
    expect(slices).toEqual([
      { index: 0, source: 'empty', distance: 1 },
      { index: 1, source: 'annotated', distance: 0 },
      { index: 2, source: 'interpolated', distance: 1 },
      { index: 3, source: 'annotated', distance: 0 },
      { index: 4, source: 'empty', distance: 1 },
    ])
    expect(dense[24 + 5]).toBe(1)
  })

  it('slices along the header’s slice axis (axis 0 here)', () => {
    // Along axis 0 a slice is the 3×5 voxels with the same i; annotate i = 0 only.
    const s = new Uint8Array(size)
    s[0] = 2 // (0, 0, 0)
    const { dense, slices } = run(dims, image, s, [0], 'nearest', {}, 0)
    expect(slices).toHaveLength(4)
    for (let i = 0; i < 4; i++) expect(dense[i]).toBe(2) // voxel (i, 0, 0) copies (0, 0, 0)
    expect(dense[4]).toBe(0)
  })

  it('reports progress up to the total and stops when aborted', () => {
    const seen: [number, number][] = []
    interpolateMask({ image: syntheticVolume(dims, image), sparse: sparse(), annotated: [1, 3], method: 'propagate' }, (d, t) => seen.push([d, t]))
    expect(seen.at(-1)).toEqual([5, 5])
    expect(seen.every(([d, t], i) => t === 5 && d <= t && (i === 0 || d >= (seen[i - 1] as [number, number])[0]))).toBe(true)
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    expect(() => interpolateMask({ image: syntheticVolume(dims, image), sparse: sparse(), annotated: [1, 3], method: 'propagate' }, undefined, controller.signal)).toThrow('stop')
  })
})
