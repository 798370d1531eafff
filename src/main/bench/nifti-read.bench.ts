// Benchmark: reading a 256³ int16 .nii.gz with readImageFile against a bare zlib.gunzipSync of the same file.
// Goal: ratio ≤ 1.2, i.e. parsing, validation and typed-array creation add at most 20 % to decompression.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { gunzipSync } from 'node:zlib'
import type { Volume } from '../../shared/volume'
import { readImageFile, volumeFromData, writeNiftiFile } from '../core/volume'
import { median } from './timing'

const N = 256
const RUNS = 7

/**
 * An MRI-like 256³ int16 volume: a noisy background, a head-sized ellipsoid, smooth Gaussian blobs inside it,
 * and noise everywhere, so gzip compresses it about as well as a real scan (pure smooth data would flatter it).
 */
function syntheticHead(): Volume {
  const data = new Int16Array(N * N * N)
  let seed = 0x2545f491
  const noise = () => {
    // xorshift32: fast and deterministic, so every run benchmarks the same bytes.
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return ((seed >>> 0) / 0xffffffff - 0.5) * 40
  }
  // Blobs are separable (gx(i)·gy(j)·gz(k)), so each costs a multiply-add per voxel instead of an exp.
  const blobs = Array.from({ length: 6 }, (_, b) => {
    const centre = [80 + 19 * b, 100 + 11 * ((b * 7) % 5), 90 + 13 * ((b * 3) % 6)]
    const sigma = 12 + 4 * b
    const axis = (c: number) => Float64Array.from({ length: N }, (_, x) => Math.exp(-((x - c) ** 2) / (2 * sigma * sigma)))
    return { amp: 300 + 80 * b, gx: axis(centre[0]!), gy: axis(centre[1]!), gz: axis(centre[2]!) }
  })
  let p = 0
  for (let k = 0; k < N; k++) {
    for (let j = 0; j < N; j++) {
      for (let i = 0; i < N; i++, p++) {
        const e = ((i - 128) / 100) ** 2 + ((j - 128) / 115) ** 2 + ((k - 120) / 95) ** 2
        let v = noise()
        if (e < 1) {
          v += 600
          for (const b of blobs) v += b.amp * b.gx[i]! * b.gy[j]! * b.gz[k]!
        }
        data[p] = Math.round(v)
      }
    }
  }
  return volumeFromData([N, N, N], data, { affine: [1, 0, 0, -128, 0, 1, 0, -128, 0, 0, 1, -120, 0, 0, 0, 1], description: 'nifti-read bench' })
}


/** Runs the benchmark and prints one summary line (plus setup facts). */
export default async function benchNiftiRead(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-nifti-'))
  try {
    const file = join(dir, 'head.nii.gz')
    let t = performance.now()
    const volume = syntheticHead()
    const genMs = performance.now() - t
    t = performance.now()
    writeNiftiFile(file, volume)
    const writeMs = performance.now() - t
    const size = statSync(file).size
    console.log(`setup: generated in ${genMs.toFixed(0)} ms, wrote ${(size / 2 ** 20).toFixed(1)} MiB (gzip ratio ${(volume.data.byteLength / size).toFixed(2)}) in ${writeMs.toFixed(0)} ms`)

    // Sanity: the read-back must equal what was written, or the timing means nothing.
    const check = readImageFile(file)
    if (check.data.length !== volume.data.length || check.data[12345] !== volume.data[12345]) throw new Error('read-back mismatch')

    const ours: number[] = []
    const bare: number[] = []
    const gc = (globalThis as { gc?: () => void }).gc
    // One untimed warm-up of each, then interleaved runs so drift (other processes, turbo) hits both alike.
    readImageFile(file)
    gunzipSync(readFileSync(file))
    for (let r = 0; r < RUNS; r++) {
      gc?.()
      t = performance.now()
      readImageFile(file)
      ours.push(performance.now() - t)
      gc?.()
      t = performance.now()
      gunzipSync(readFileSync(file))
      bare.push(performance.now() - t)
    }
    const x = median(ours)
    const y = median(bare)
    console.log(`nifti-read 256^3 int16 .nii.gz: median ${x.toFixed(1)} ms; bare gunzipSync: ${y.toFixed(1)} ms; ratio X/Y = ${(x / y).toFixed(2)} (goal <= 1.2)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
