import { describe, expect, it } from 'vitest'
import { applyScaling, scalingApplies } from './scaling'

describe('scalingApplies', () => {
  it('is false for slope 0, (1, 0) and non-finite values; true otherwise', () => {
    expect(scalingApplies(0, 5)).toBe(false)
    expect(scalingApplies(1, 0)).toBe(false)
    expect(scalingApplies(NaN, 0)).toBe(false)
    expect(scalingApplies(2, NaN)).toBe(false)
    expect(scalingApplies(1, 1)).toBe(true)
    expect(scalingApplies(-1, 0)).toBe(true)
  })
})

describe('applyScaling', () => {
  it('gives Float32Array for narrow types and Float64Array for int32 / float64', () => {
    expect(applyScaling(Uint8Array.from([1]), 2, 1, false)).toEqual(Float32Array.from([3]))
    expect(applyScaling(Int32Array.from([2 ** 30 + 1]), 1, 0.5, false)).toEqual(Float64Array.from([2 ** 30 + 1.5]))
    expect(applyScaling(Float64Array.from([1]), 3, 0, false)).toBeInstanceOf(Float64Array)
  })

  it('overwrites float data only when allowed', () => {
    const a = Float32Array.from([1, 2])
    expect(applyScaling(a, 2, 0, true)).toBe(a)
    expect(Array.from(a)).toEqual([2, 4])
    const b = Float32Array.from([1, 2])
    expect(applyScaling(b, 2, 0, false)).not.toBe(b)
    expect(Array.from(b)).toEqual([1, 2])
  })
})
