// The annotated slice planes of the 3D view (the mask surfaces themselves are made in the surface worker:
// mask-mesh.ts, surface.worker.ts).
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData'
import type { vtkPolyData as PolyData } from '@kitware/vtk.js/Common/DataModel/PolyData'

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
