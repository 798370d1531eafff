// Surfaces of label masks for the 3D view: marching cubes over the foreground's bounding box only, at full
// resolution when that box is small and at half resolution first when it is large (a 256³ mask is ~16 M cells,
// about 1.5 s of marching cubes in JavaScript, against ~0.2 s at half resolution).
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData'
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray'
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData'
import type { vtkPolyData as PolyData } from '@kitware/vtk.js/Common/DataModel/PolyData'
import vtkImageMarchingCubes from '@kitware/vtk.js/Filters/General/ImageMarchingCubes'
import type { LayerArray } from './voxel-layers'

type Vec3 = [number, number, number]

/** Inclusive index bounds of the nonzero voxels, or undefined for an empty mask. */
export function foregroundBox(values: LayerArray, dims: readonly [number, number, number]): { lo: Vec3; hi: Vec3 } | undefined {
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
export function binaryGrid(values: LayerArray, dims: readonly [number, number, number], spacing: readonly [number, number, number], box: { lo: Vec3; hi: Vec3 }, step: number): BinaryGrid {
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

/** A mask's surface and the resolution it was made at. */
export interface MaskSurface {
  polyData: PolyData
  /** 1 = full resolution, 2 = every 2×2×2 block as one voxel. */
  step: number
  ms: number
}

/** Marching cubes at 0.5 over a mask (any nonzero label is foreground); empty polydata for an empty mask. */
export function maskSurface(values: LayerArray, dims: readonly [number, number, number], spacing: readonly [number, number, number], step?: number): MaskSurface {
  const started = performance.now()
  const box = foregroundBox(values, dims)
  if (!box) return { polyData: vtkPolyData.newInstance(), step: 1, ms: performance.now() - started }
  const cells = [0, 1, 2].reduce((n, a) => n * ((box.hi[a] ?? 0) - (box.lo[a] ?? 0) + 1), 1)
  const chosen = step ?? (cells > fullResolutionCells ? 2 : 1)
  const grid = binaryGrid(values, dims, spacing, box, chosen)
  const image = vtkImageData.newInstance()
  image.setDimensions(grid.dims[0], grid.dims[1], grid.dims[2])
  image.setSpacing(grid.spacing)
  image.setOrigin(grid.origin)
  image.getPointData().setScalars(vtkDataArray.newInstance({ name: 'mask', numberOfComponents: 1, values: grid.values }))
  const cubes = vtkImageMarchingCubes.newInstance({ contourValue: 0.5, computeNormals: true, mergePoints: false })
  cubes.setInputData(image)
  const polyData = cubes.getOutputData()
  cubes.delete()
  return { polyData, step: chosen, ms: performance.now() - started }
}

/**
 * The annotated slices as thin rectangles across the volume, one quad per slice along the slice axis, in
 * the same index × spacing space as the surfaces.
 */
export function slicePlanes(annotated: readonly number[], dims: readonly [number, number, number], spacing: readonly [number, number, number], axis: 0 | 1 | 2): PolyData {
  const [u, v] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1]
  const points = new Float32Array(annotated.length * 4 * 3)
  const polys = new Uint32Array(annotated.length * 5)
  const uMax = ((dims[u] ?? 1) - 1) * (spacing[u] ?? 1)
  const vMax = ((dims[v] ?? 1) - 1) * (spacing[v] ?? 1)
  annotated.forEach((index, q) => {
    const corners: [number, number][] = [
      [0, 0],
      [uMax, 0],
      [uMax, vMax],
      [0, vMax],
    ]
    corners.forEach(([a, b], c) => {
      const p = (q * 4 + c) * 3
      points[p + axis] = index * (spacing[axis] ?? 1)
      points[p + u] = a
      points[p + v] = b
    })
    polys.set([4, q * 4, q * 4 + 1, q * 4 + 2, q * 4 + 3], q * 5)
  })
  const planes = vtkPolyData.newInstance()
  planes.getPoints().setData(points, 3)
  planes.getPolys().setData(polys)
  return planes
}
