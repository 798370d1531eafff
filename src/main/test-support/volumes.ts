import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Vec3, Volume, VoxelArray } from '../../shared/volume'
import { volumeFromData, writeNiftiFile } from '../core/volume'

/** A volume built in a test: affine diag(spacing), slice axis 2. */
export function syntheticVolume(dims: Vec3, data: VoxelArray, spacing: Vec3 = [1, 1, 1]): Volume {
  return volumeFromData(dims, data, { spacing, description: 'synthetic' })
}

/** An image (a bright ball on a ramp) and its label (the ball, 1; its upper half, 2) of the given shape. */
export function syntheticPair(dims: Vec3, seedOffset = 0): { image: Volume; label: Volume } {
  const [nx, ny, nz] = dims
  const image = new Float32Array(nx * ny * nz)
  const label = new Uint8Array(nx * ny * nz)
  const r = Math.min(nx, ny, nz) / 3
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const idx = i + nx * (j + ny * k)
        const d = Math.hypot(i - nx / 2, j - ny / 2, k - nz / 2)
        image[idx] = (d < r ? 200 : 20) + i + seedOffset
        label[idx] = d < r ? (k >= nz / 2 ? 2 : 1) : 0
      }
  return { image: syntheticVolume(dims, image), label: syntheticVolume(dims, label) }
}

/** Writes a paired-layout dataset folder (images/ + labels/) of `count` synthetic cases; returns the folder. */
export function writeSyntheticDataset(folder: string, count: number, dims: Vec3 = [12, 10, 8]): string {
  mkdirSync(join(folder, 'images'), { recursive: true })
  mkdirSync(join(folder, 'labels'), { recursive: true })
  for (let c = 0; c < count; c++) {
    const { image, label } = syntheticPair(dims, c)
    const name = `case_${String(c).padStart(3, '0')}.nii.gz`
    writeNiftiFile(join(folder, 'images', name), image)
    writeNiftiFile(join(folder, 'labels', name), label)
  }
  return folder
}
