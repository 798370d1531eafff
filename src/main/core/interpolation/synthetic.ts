import type { Axis, Volume, VoxelArray } from '../../../shared/volume'
import { volumeFromData } from '../volume'

/** An image Volume around the given data: 1 mm voxels, identity affine (marked as not from a file). */
export function syntheticVolume(dims: [number, number, number], data: VoxelArray, sliceAxis: Axis = 2): Volume {
  return volumeFromData(dims, data, { sliceAxis, affineSource: 'none', description: 'synthetic' })
}

/** Where the object of `deformingObject` is on slice k: centre, semi-axes, or undefined where it is absent. */
export interface Ellipse {
  cx: number
  cy: number
  rx: number
  ry: number
}

/**
 * A cube of side n (slice axis 2) holding a smooth deforming object: an ellipse per slice whose centre drifts
 * along a sine and whose semi-axes breathe, present on slices [0.1 n, 0.9 n). The image is bright inside
 * (1000) on a smooth background ramp with a deterministic texture, so registration has something to follow;
 * the label is 1 inside. The benchmark's 384³ case and the propagation tests use it.
 */
export function deformingObject(n: number, at: (k: number) => Ellipse | undefined = defaultPath(n)): { image: Volume; label: Uint8Array } {
  const dims: [number, number, number] = [n, n, n]
  const image = new Float32Array(n * n * n)
  const label = new Uint8Array(n * n * n)
  for (let k = 0, p = 0; k < n; k++) {
    const e = at(k)
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++, p++) {
        // A smooth texture (two sines) plus a ramp: structure everywhere, no randomness.
        let v = 200 + (300 * (i + j)) / (2 * n) + 60 * Math.sin(i * 0.37 + k * 0.05) * Math.sin(j * 0.29 - k * 0.03)
        if (e) {
          const dx = (i - e.cx) / e.rx
          const dy = (j - e.cy) / e.ry
          if (dx * dx + dy * dy <= 1) {
            v += 800
            label[p] = 1
          }
        }
        image[p] = v
      }
    }
  }
  return { image: syntheticVolume(dims, image), label }
}

/** The default path: centre drifting by ±n/10, semi-axes n/6 and n/8 breathing by 25 %, present on 10–90 %. */
export function defaultPath(n: number): (k: number) => Ellipse | undefined {
  return (k) => {
    if (k < 0.1 * n || k >= 0.9 * n) return undefined
    const t = k / n
    return {
      cx: n / 2 + (n / 10) * Math.sin(2 * Math.PI * t),
      cy: n / 2 + (n / 12) * Math.cos(2 * Math.PI * t),
      rx: (n / 6) * (1 + 0.25 * Math.sin(4 * Math.PI * t)),
      ry: (n / 8) * (1 + 0.25 * Math.cos(3 * Math.PI * t)),
    }
  }
}
