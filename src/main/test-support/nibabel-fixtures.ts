import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Debian's interpreter, which has python3-nibabel; `python3` on PATH may be another one without it. */
const python = '/usr/bin/python3'
const generator = join(dirname(fileURLToPath(import.meta.url)), 'nibabel-fixtures.py')

/** What nibabel reads from one fixture file (see nibabel-fixtures.py). */
export interface NibabelReadCase {
  file: string
  expect: 'read'
  note: string
  format: 'nifti' | 'analyze'
  niftiVersion: 1 | 2
  littleEndian: boolean
  /** numpy's name of the stored type, or 'rgb24'. */
  dtype: string
  shape: number[]
  frames: number
  channels: number
  /** The frame and channel whose voxels `stored` and `scaled` hold. */
  frame: number
  channel: number
  zooms: number[]
  /** 4×4 row-major. */
  affine: number[]
  /** The stored voxels of that 3D block in Fortran order (RGB24: its luminance as float32). */
  stored: number[]
  /** The same voxels with scl_slope / scl_inter applied, as float64. */
  scaled: number[]
}

/** A fixture file a reader must refuse, with text the one-line problem must contain. */
export interface NibabelRefuseCase {
  file: string
  expect: 'refuse'
  problem: string
}

export type NibabelCase = NibabelReadCase | NibabelRefuseCase

export type NibabelFixtures = { dir: string; version: string; cases: NibabelCase[] } | { skipped: string }

/**
 * Writes the nibabel fixtures into a fresh temp folder, or says why it cannot: a user's clone may lack
 * python3-nibabel (CI installs it). The caller removes `dir`.
 */
export function generateNibabelFixtures(): NibabelFixtures {
  const probe = spawnSync(python, ['-c', 'import nibabel'], { encoding: 'utf8', timeout: 30_000 })
  if (probe.error || probe.status !== 0) {
    return { skipped: `${python} cannot import nibabel (apt-get install python3-nibabel): ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}` }
  }
  const dir = mkdtempSync(join(tmpdir(), 'nibabel-fixtures-'))
  execFileSync(python, [generator, dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 })
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { nibabel: string; cases: NibabelCase[] }
  return { dir, version: expected.nibabel, cases: expected.cases }
}
