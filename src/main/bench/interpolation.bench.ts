// Table 3 of Zhang, Kramer & Mazurowski for the MSD hippocampus set: mean whole-volume foreground IoU of each
// interpolation method against the human masks, by density, next to ITK's morphological contour interpolation
// on the same annotated slices; and the time to fill a 384³ volume at ρ = 0.1 against the 10 s goal.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { interpolateMask } from '../core/interpolation/interpolate'
import { foregroundIoU } from '../core/interpolation/metrics'
import { deformingObject } from '../core/interpolation/synthetic'
import type { InterpolationInput } from '../core/interpolation/types'
import { selectFixedInterval } from '../core/planning/selectors/fixed-interval'
import { readImageFile, readLabelFile, sliceCount } from '../core/volume'
import { hippocampusDir, sampleDataDir } from '../test-support/shared-data'
import { itkContourInterpolation } from './itk-mci'

const densities = [0.05, 0.1, 0.2, 0.4, 0.8]

interface Method {
  name: string
  ours: boolean
  run: (v: Loaded, annotated: number[]) => Promise<Uint8Array> | Uint8Array
}
interface Loaded {
  image: InterpolationInput['image']
  label: InterpolationInput['image']
}

const ourMethod = (name: string, method: InterpolationInput['method'], options: InterpolationInput['options'] = {}, ours = false): Method => ({
  name,
  ours,
  run: (v, annotated) => interpolateMask({ image: v.image, sparse: v.label.data, annotated, method, options }).dense,
})

const methods: Method[] = [
  ourMethod('propagate (weighted)', 'propagate', { fusion: 'weighted' }, true),
  ourMethod('propagate (first)', 'propagate', { fusion: 'first' }, true),
  ourMethod('sdf', 'sdf'),
  ourMethod('nearest', 'nearest'),
  // Binary foreground, annotated slices passed explicitly along axis 2: the configuration of the anchor.
  { name: 'ITK MCI', ours: false, run: (v, annotated) => itkContourInterpolation(v.label, annotated, [1]) },
]

function loadAll(): { volumes: Loaded[]; from: string } {
  const dir = hippocampusDir ?? sampleDataDir
  const files = readdirSync(join(dir, 'images')).filter((f) => f.endsWith('.nii.gz')).sort()
  const volumes = files.map((f) => {
    const image = readImageFile(join(dir, 'images', f))
    const label = readLabelFile(join(dir, 'labels', f))
    // The project measures along the third array axis (NIfTI k), as the anchor numbers do.
    image.header.sliceAxis = 2
    label.header.sliceAxis = 2
    return { image, label }
  })
  const from = hippocampusDir ? `${files.length} MSD hippocampus volumes` : `the ${files.length} bundled sample volumes (../shared/data is missing)`
  return { volumes, from }
}

/** Prints the Table-3 rows (mean IoU, ms per volume) and a verdict per density; then the 384³ timing. */
export default async function benchInterpolation(): Promise<void> {
  const { volumes, from } = loadAll()
  console.log(`interpolation: mean whole-volume foreground IoU and ms per volume on ${from}, fixed-interval centred slices, axis 2`)
  const iou = new Map<string, number[]>()
  const ms = new Map<string, number[]>()
  for (const m of methods) {
    iou.set(m.name, [])
    ms.set(m.name, [])
  }
  // Untimed warm-up so the first measured method does not pay for JIT compilation and the wasm load alone.
  for (const m of methods) await m.run(volumes[0] as Loaded, [10])
  for (const density of densities) {
    for (const m of methods) {
      let sum = 0
      let time = 0
      for (const v of volumes) {
        const n = sliceCount(v.image.header.dims, 2)
        const annotated = selectFixedInterval(n, Math.max(1, Math.round(density * n)))
        const t = performance.now()
        const dense = await m.run(v, annotated)
        time += performance.now() - t
        sum += foregroundIoU(dense, v.label.data)
      }
      iou.get(m.name)?.push(sum / volumes.length)
      ms.get(m.name)?.push(time / volumes.length)
    }
  }
  const head = 'method'.padEnd(22) + densities.map((d) => `ρ ${d}`.padStart(16)).join('')
  console.log(head)
  for (const m of methods) {
    const cells = densities.map((_, i) => `${(iou.get(m.name)?.[i] ?? NaN).toFixed(3)} ${(ms.get(m.name)?.[i] ?? NaN).toFixed(1).padStart(5)}ms`.padStart(16))
    console.log(m.name.padEnd(22) + cells.join(''))
  }
  densities.forEach((density, i) => {
    const at = (name: string): number => iou.get(name)?.[i] ?? NaN
    const time = (name: string): number => ms.get(name)?.[i] ?? NaN
    const best = methods.filter((m) => m.ours).sort((a, b) => at(b.name) - at(a.name))[0] as Method
    const baselines = methods.filter((m) => !m.ours).sort((a, b) => at(b.name) - at(a.name))
    const top = baselines[0] as Method
    const ok = (b: boolean): string => (b ? 'yes' : 'NO')
    console.log(
      `ρ ${density}: our best ${best.name} ${at(best.name).toFixed(3)} (${time(best.name).toFixed(1)} ms) — ≥ ITK ${at('ITK MCI').toFixed(3)} ` +
        `(${time('ITK MCI').toFixed(1)} ms): ${ok(at(best.name) >= at('ITK MCI'))}, faster: ${ok(time(best.name) < time('ITK MCI'))}; ` +
        `≥ best of nearest/sdf/ITK (${top.name} ${at(top.name).toFixed(3)}): ${ok(at(best.name) >= at(top.name))}`,
    )
  })

  const side = 384
  const { image, label } = deformingObject(side)
  const annotated = selectFixedInterval(side, Math.round(0.1 * side))
  const t = performance.now()
  const { dense } = interpolateMask({ image, sparse: label, annotated, method: 'propagate' })
  const elapsed = performance.now() - t
  console.log(
    `interpolate ${side}³ at ρ 0.1 (${annotated.length} slices, propagate weighted, deforming synthetic object): ` +
      `${(elapsed / 1000).toFixed(2)} s, IoU ${foregroundIoU(dense, label).toFixed(3)}; ratio to the 10 s goal ${(elapsed / 10_000).toFixed(2)}`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchInterpolation()
