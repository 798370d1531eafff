import { describe, expect, it } from 'vitest'
import { volumeFromData } from './volume-from-data'

describe('volumeFromData', () => {
  it('takes the stored dtype from the array and the affine from the spacing', () => {
    const v = volumeFromData([2, 3, 4], new Int16Array(24), { spacing: [0.5, 1, 2.5] })
    expect(v.header).toMatchObject({ dims: [2, 3, 4], storedDtype: 'int16', sliceAxis: 2, affineSource: 'sform', sclSlope: 1, sclInter: 0 })
    expect(v.header.affine).toEqual([0.5, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 1])
    expect(volumeFromData([1, 1, 2], new Float64Array(2)).header.storedDtype).toBe('float64')
  })

  it('refuses an array whose length disagrees with the dims', () => {
    expect(() => volumeFromData([2, 2, 2], new Uint8Array(7))).toThrow(/2×2×2 need 8 voxels, the array holds 7/)
  })
})
