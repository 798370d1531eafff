// ITK's morphological contour interpolation (the method behind 3D Slicer's "Fill between slices"), run through
// its itk-wasm Node build: the anchor the interpolation benchmark measures ours against. Bench-only code.
import { morphologicalContourInterpolationNode } from '@itk-wasm/morphological-contour-interpolation'
import type { Volume } from '../../shared/volume'
import { extractSlice, writeSlice } from '../core/volume'

type ItkImage = Parameters<typeof morphologicalContourInterpolationNode>[0]

/**
 * Dense labels from ITK MCI given a sparse label volume: only the annotated slices (along sliceAxis) are
 * copied in, the rest are 0, and the annotated indices are passed explicitly (useCustomSlicePositions +
 * labeledSliceIndices) with interpolation along the slice axis only, so it sees exactly what our methods see.
 * `labels` = [1] first merges every label into 1 (binary foreground: the configuration behind the anchor
 * numbers, reproduced exactly); several labels run one call each. The Node wrapper drops falsy options, so
 * slice axis 0 would silently become "all axes": the benchmark uses axis 2.
 */
export async function itkContourInterpolation(label: Volume, annotated: readonly number[], labels: readonly number[]): Promise<Uint8Array> {
  const { dims, sliceAxis } = label.header
  const sparse = new Uint8Array(dims[0] * dims[1] * dims[2])
  for (const a of annotated) writeSlice(dims, sparse, sliceAxis, a, extractSlice(dims, label.data, sliceAxis, a))
  if (labels.length === 1 && labels[0] === 1) for (let p = 0; p < sparse.length; p++) if (sparse[p] !== 0) sparse[p] = 1
  const dense = new Uint8Array(sparse.length)
  // Custom slice positions are declared per label (labeledSliceIndicesLabel), so each label runs on its own.
  for (const value of labels) {
    const image: ItkImage = {
      imageType: { dimension: 3, componentType: 'uint8', pixelType: 'Scalar', components: 1 },
      name: 'sparse',
      origin: [0, 0, 0],
      spacing: [1, 1, 1],
      direction: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
      size: [dims[0], dims[1], dims[2]],
      metadata: new Map(),
      data: sparse,
    }
    const { outputImage } = await morphologicalContourInterpolationNode(image, {
      label: value,
      axis: sliceAxis,
      useCustomSlicePositions: true,
      labeledSliceIndicesAxis: sliceAxis,
      labeledSliceIndicesLabel: value,
      labeledSliceIndices: [...annotated],
    })
    const out = outputImage.data as Uint8Array
    for (let p = 0; p < out.length; p++) if (out[p] === value && dense[p] === 0) dense[p] = value
  }
  return dense
}
