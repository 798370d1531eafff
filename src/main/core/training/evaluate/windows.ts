/**
 * Starts of the sliding windows along one axis: every `step = max(1, ⌊size·(1 − overlap)⌋)` voxels from 0,
 * with the last window flush with the end of the volume. A volume no larger than the window gets one window,
 * with the volume centred in it (negative start = padding before).
 */
export function windowStarts(volumeSize: number, windowSize: number, overlap: number): number[] {
  if (volumeSize <= windowSize) return [0 - Math.floor((windowSize - volumeSize) / 2)]
  const step = Math.max(1, Math.floor(windowSize * (1 - overlap)))
  const last = volumeSize - windowSize
  const starts: number[] = []
  for (let s = 0; s < last; s += step) starts.push(s)
  starts.push(last)
  return starts
}

/**
 * The weight of each voxel of a window when overlapping predictions are averaged: a separable Gaussian
 * centred on the window with σ = size/8 along each axis, peak 1, laid out [k][j][i]. Voxels near a window's
 * border see less context and are less reliable, so the window whose centre is nearer wins.
 */
export function gaussianWeights(size: readonly [number, number, number]): Float32Array {
  const profile = size.map((n) => {
    const sigma = n / 8
    const centre = (n - 1) / 2
    return Array.from({ length: n }, (_, x) => Math.exp(-((x - centre) ** 2) / (2 * sigma * sigma)))
  }) as [number[], number[], number[]]
  const [pi, pj, pk] = size
  const out = new Float32Array(pi * pj * pk)
  for (let z = 0, o = 0; z < pk; z++)
    for (let y = 0; y < pj; y++)
      for (let x = 0; x < pi; x++, o++) out[o] = (profile[2][z] as number) * (profile[1][y] as number) * (profile[0][x] as number)
  return out
}
