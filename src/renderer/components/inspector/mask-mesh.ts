// A mask's surface as plain typed arrays (marching cubes at 0.5 over the foreground's bounding box), pure and
// free of rendering so it runs in the surface worker and in Node tests. Large boxes are first meshed at half
// resolution (a 256³ mask is ~16 M cells, about 1.5 s of marching cubes in JavaScript, ~0.2 s at half).
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray'
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData'
import vtkImageMarchingCubes from '@kitware/vtk.js/Filters/General/ImageMarchingCubes'
import type { LayerArray } from './voxel-layers'

type Vec3 = [number, number, number]

/** Inclusive index bounds of the nonzero voxels. */
export interface VoxelBox {
  lo: Vec3
  hi: Vec3
}

/** Inclusive index bounds of the nonzero voxels, or undefined for an empty mask. */
export function foregroundBox(values: LayerArray, dims: readonly [number, number, number]): VoxelBox | undefined {
  const [nx, ny, nz] = dims
  const lo: Vec3 = [nx, ny, nz]
  const hi: Vec3 = [-1, -1, -1]
  for (let k = 0, p = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (values[p] === 0) continue
        if (i < lo[0]) lo[0] = i
        if (i > hi[0]) hi[0] = i
        if (j < lo[1]) lo[1] = j
        if (j > hi[1]) hi[1] = j
        if (k < lo[2]) lo[2] = k
        if (k > hi[2]) hi[2] = k
      }
    }
  }
  return hi[0] < 0 ? undefined : { lo, hi }
}

/** The cells marching cubes may visit before the first drawing switches to half resolution. */
export const fullResolutionCells = 2_000_000

/** The resolution steps to mesh a box at, coarse first: [1] for a small box, [2, 1] for a large one. */
export function resolutionSteps(box: VoxelBox): number[] {
  const cells = [0, 1, 2].reduce((n, a) => n * ((box.hi[a] ?? 0) - (box.lo[a] ?? 0) + 1), 1)
  return cells > fullResolutionCells ? [2, 1] : [1]
}

/** A binary grid over part of a mask: 1 where any voxel of a step³ block is foreground, one empty voxel of border all round. */
export interface BinaryGrid {
  values: Uint8Array
  dims: Vec3
  spacing: Vec3
  origin: Vec3
}

/**
 * The box of a mask as a 0/1 grid, each output voxel covering step³ input voxels (foreground if any of them
 * is, so thin structures survive), with a border of zeros so the surface closes at the box's edges.
 */
export function binaryGrid(values: LayerArray, dims: readonly [number, number, number], spacing: readonly [number, number, number], box: VoxelBox, step: number): BinaryGrid {
  const [nx, ny] = dims
  const size = [0, 1, 2].map((a) => Math.ceil(((box.hi[a] ?? 0) - (box.lo[a] ?? 0) + 1) / step) + 2) as Vec3
  const out = new Uint8Array(size[0] * size[1] * size[2])
  for (let k = box.lo[2]; k <= box.hi[2]; k++) {
    const ok = Math.floor((k - box.lo[2]) / step) + 1
    for (let j = box.lo[1]; j <= box.hi[1]; j++) {
      const oj = Math.floor((j - box.lo[1]) / step) + 1
      const row = nx * (j + ny * k)
      const orow = size[0] * (oj + size[1] * ok)
      for (let i = box.lo[0]; i <= box.hi[0]; i++) {
        if (values[row + i] !== 0) out[orow + Math.floor((i - box.lo[0]) / step) + 1] = 1
      }
    }
  }
  // Output voxel o (≥ 1) covers input lo + (o-1)·step … + step-1; its centre sits in the middle of that run.
  const origin = [0, 1, 2].map((a) => ((box.lo[a] ?? 0) - step + (step - 1) / 2) * (spacing[a] ?? 1)) as Vec3
  return { values: out, dims: size, spacing: spacing.map((s) => s * step) as Vec3, origin }
}

/** A triangle mesh as the arrays vtkPolyData takes: xyz points, polys as [3, a, b, c]…, one normal a point. */
export interface MaskMesh {
  points: Float32Array
  polys: Uint32Array
  normals: Float32Array
  /** 1 = full resolution, 2 = every 2×2×2 block as one voxel. */
  step: number
  /** Time spent meshing (grid and marching cubes). */
  ms: number
}

/** Marching cubes at 0.5 over a box of a mask at one resolution step (any nonzero label is foreground). */
export function maskMesh(values: LayerArray, dims: readonly [number, number, number], spacing: readonly [number, number, number], box: VoxelBox, step: number): MaskMesh {
  const started = performance.now()
  const grid = binaryGrid(values, dims, spacing, box, step)
  const image = vtkImageData.newInstance()
  image.setDimensions(grid.dims[0], grid.dims[1], grid.dims[2])
  image.setSpacing(grid.spacing)
  image.setOrigin(grid.origin)
  image.getPointData().setScalars(vtkDataArray.newInstance({ name: 'mask', numberOfComponents: 1, values: grid.values }))
  // Unmerged points: merging costs a hash lookup an edge and the renderer does not need it.
  const cubes = vtkImageMarchingCubes.newInstance({ contourValue: 0.5, computeNormals: true, mergePoints: false })
  cubes.setInputData(image)
  const output = cubes.getOutputData()
  cubes.delete()
  // The filter's arrays are fresh and exactly sized; copied only where their type differs.
  const pointData = output.getPoints().getData()
  const polyData = output.getPolys().getData()
  const normalData = output.getPointData().getNormals()?.getData() ?? []
  const points = pointData instanceof Float32Array ? pointData : Float32Array.from(pointData)
  const polys = polyData instanceof Uint32Array ? polyData : Uint32Array.from(polyData)
  const normals = normalData instanceof Float32Array ? normalData : Float32Array.from(normalData)
  return { points, polys, normals, step, ms: performance.now() - started }
}

/** An empty mesh (an empty mask). */
export function emptyMesh(): MaskMesh {
  return { points: new Float32Array(0), polys: new Uint32Array(0), normals: new Float32Array(0), step: 1, ms: 0 }
}

/** What the page asks the surface worker: one mask's voxels (transferred) and the job's id. */
export interface SurfaceJob {
  id: number
  values: LayerArray
  dims: [number, number, number]
  spacing: [number, number, number]
}

/** What the worker answers, once per resolution step (coarse first); `final` on the last. */
export type SurfaceReply = { id: number; mesh: MaskMesh; final: boolean } | { id: number; error: string }

/** The replies to one job, in order: the coarse mesh (for a large box) then the full one; one empty mesh for an empty mask. */
export function* meshSteps(job: SurfaceJob): Generator<SurfaceReply> {
  const started = performance.now()
  const box = foregroundBox(job.values, job.dims)
  if (!box) {
    yield { id: job.id, mesh: { ...emptyMesh(), ms: performance.now() - started }, final: true }
    return
  }
  const scanMs = performance.now() - started
  const steps = resolutionSteps(box)
  for (const [n, step] of steps.entries()) {
    const mesh = maskMesh(job.values, job.dims, job.spacing, box, step)
    // The first reply also carries the time the bounding-box scan took.
    if (n === 0) mesh.ms += scanMs
    yield { id: job.id, mesh, final: n === steps.length - 1 }
  }
}
