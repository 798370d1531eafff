import { describe, expect, it } from 'vitest'
import { axisGeometry, checkLayout, checkNoDilation, checkPadding, explicitPadding2d, tupleOf, UnsupportedConvolutionError } from './conv-geometry'

describe('conv geometry', () => {
  it("computes TF's output lengths and leading pads", () => {
    expect(axisGeometry(5, 3, 1, 'same')).toEqual({ out: 5, before: 1 })
    expect(axisGeometry(6, 2, 2, 'same')).toEqual({ out: 3, before: 0 })
    expect(axisGeometry(6, 4, 1, 'same')).toEqual({ out: 6, before: 1 })
    expect(axisGeometry(7, 3, 2, 'valid')).toEqual({ out: 3, before: 0 })
    // Kernel smaller than the stride: the pad is clamped at 0, as TensorFlow does.
    expect(axisGeometry(6, 1, 2, 'same')).toEqual({ out: 3, before: 0 })
    expect(explicitPadding2d([6, 5], [2, 3], [3, 1], 'same')).toEqual([[0, 0], [0, 0], [1, 1], [0, 0]])
  })

  it('refuses what the kernels were not verified for', () => {
    expect(checkPadding('K', 'same')).toBe('same')
    expect(() => checkPadding('K', 1)).toThrow(UnsupportedConvolutionError)
    expect(() => checkNoDilation('K', [1, 2], 2)).toThrow(UnsupportedConvolutionError)
    expect(() => checkLayout('K', { dataFormat: 'NCHW' })).toThrow(UnsupportedConvolutionError)
    expect(() => checkLayout('K', { dimRoundingMode: 'round' })).toThrow(UnsupportedConvolutionError)
    expect(tupleOf('K', 'strides', 2, 3)).toEqual([2, 2, 2])
    expect(() => tupleOf('K', 'strides', [1, 0], 2)).toThrow(UnsupportedConvolutionError)
  })
})
