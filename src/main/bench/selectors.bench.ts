// Benchmark: slice selection. (a) fixed and random selection over the paper's whole (ρ, s) grid;
// (b) representative selection per volume for each feature extractor, split into feature extraction and
// selection, with random selection's time per volume (same run) as the reference; plus the dataset-level variant.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { featureExtractors, selectionRules } from '../../shared/plan'
import type { Volume } from '../../shared/volume'
import { getFeatureExtractor, pcaFeatures, sliceDescriptors, fitPca } from '../core/planning/features'
import { selectAcrossVolumes, selectFixedInterval, selectKCenter, selectKMedoids, selectUniformRandom } from '../core/planning/selectors'
import { createRng } from '../core/random/rng'
import { slicesPerVolume } from '../core/planning/budget'
import { timeMedian } from './timing'
import { readImageFile, sliceCount } from '../core/volume'
import { hippocampusDir, sampleDataDir } from '../test-support/shared-data'

const densities = [0.05, 0.1, 0.2, 0.4, 0.8]
const fractions = [1 / 8, 1 / 4, 1 / 2, 1]
const fractionLabel = (s: number) => (s === 1 ? '1' : `1/${Math.round(1 / s)}`)
/** Slices per volume as plans spend them: max(1, round(ρ·n)), at most n. */
const budget = slicesPerVolume
const ms = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1))

/** Runs the benchmark and prints its figures. */
export default async function benchSelectors(): Promise<void> {
  const dir = hippocampusDir ?? sampleDataDir
  const files = readdirSync(join(dir, 'images'))
    .filter((f) => f.endsWith('.nii.gz'))
    .sort()
  let t = performance.now()
  const volumes: Volume[] = files.map((f) => readImageFile(join(dir, 'images', f)))
  // Slice counts along each volume's slice axis, read once, outside every timing.
  const counts = volumes.map((v) => sliceCount(v.header.dims, v.header.sliceAxis))
  const order = createRng(0).shuffle(counts.map((_, i) => i))
  console.log(
    `selectors bench on ${hippocampusDir ? 'all' : 'the bundled sample of'} ${volumes.length} MSD hippocampus volumes` +
      `${hippocampusDir ? '' : ' (../shared/data not found)'}; read in ${(performance.now() - t).toFixed(0)} ms (untimed), ` +
      `${counts.reduce((a, b) => a + b, 0)} slices`,
  )

  // (a) The whole grid: 20 cells, each selecting in round(s·N) volumes (a nested subset, first of one shuffle).
  const cells = fractions.flatMap((s) => densities.map((rho) => ({ s, rho, vols: order.slice(0, Math.max(1, Math.round(s * counts.length))) })))
  let selections = 0
  let slices = 0
  for (const c of cells) for (const v of c.vols) {
    selections++
    slices += budget(counts[v] as number, c.rho)
  }
  const grid = (method: 'fixed' | 'random') => () => {
    cells.forEach((c, ci) => {
      for (const v of c.vols) {
        const n = counts[v] as number
        const k = budget(n, c.rho)
        if (method === 'fixed') selectFixedInterval(n, k)
        else selectUniformRandom(n, k, createRng(ci * 100_000 + v))
      }
    })
  }
  const fixedMs = timeMedian(grid('fixed'), 5)
  const randomMs = timeMedian(grid('random'), 5)
  console.log(`(a) paper grid ρ ∈ {${densities.join(', ')}} × s ∈ {${fractions.map(fractionLabel).join(', ')}}: ${cells.length} cells, ${selections} volume selections, ${slices} slices`)
  console.log(`    fixed ${ms(fixedMs)} ms, random ${ms(randomMs)} ms (incl. one createRng per volume), together ${ms(fixedMs + randomMs)} ms — goal < 1000 ms: ${fixedMs + randomMs < 1000 ? 'met' : 'MISSED'}`)
  console.log(`    per volume selection: fixed ${ms((1000 * fixedMs) / selections)} µs, random ${ms((1000 * randomMs) / selections)} µs`)

  // (b) Representative selection per volume (volume scope): extraction, then selection for each rule.
  const randomPerVolume = randomMs / selections
  for (const name of featureExtractors) {
    if (name !== 'pca') {
      let reason = ''
      try {
        await getFeatureExtractor(name).extract(volumes.slice(0, 1), { joint: false }, createRng(0))
      } catch (err) {
        reason = (err as Error).message
      }
      console.log(`(b) ${name}: not available until the training engine lands${reason ? ` (extract says: ${reason})` : ''}`)
      continue
    }
    let tDesc = 0
    let tFit = 0
    const features = volumes.map((v) => {
      let t0 = performance.now()
      const d = sliceDescriptors(v)
      tDesc += performance.now() - t0
      t0 = performance.now()
      const f = fitPca(d, 16, createRng(1)).project(d)
      tFit += performance.now() - t0
      return f
    })
    const extract = (tDesc + tFit) / volumes.length
    console.log(
      `(b) pca features per volume: ${ms(extract)} ms (descriptors ${ms(tDesc / volumes.length)} ms + PCA fit/project ${ms(tFit / volumes.length)} ms), ${features[0]?.cols} components`,
    )
    for (const rule of selectionRules) {
      const perRho = densities.map((rho) => {
        const total = timeMedian(() => {
          features.forEach((m, v) => {
            const k = budget(m.rows, rho)
            if (rule === 'kcenter') selectKCenter(m, k)
            else selectKMedoids(m, k, createRng(v))
          })
        }, 3)
        return total / volumes.length
      })
      const mean = perRho.reduce((a, b) => a + b, 0) / perRho.length
      console.log(
        `    ${rule.padEnd(8)} selection per volume at ρ ${densities.join('/')}: ${perRho.map(ms).join(' / ')} ms; ` +
          `mean ${ms(mean)} ms = ${(mean / randomPerVolume).toFixed(0)}× random's; with extraction ${ms(mean + extract)} ms = ${((mean + extract) / randomPerVolume).toFixed(0)}× random's`,
      )
    }
  }

  // The dataset-level variant: one joint PCA over the selected volumes, then one selection over all their slices.
  console.log('    dataset scope (joint PCA on the selected volumes, then selectAcrossVolumes at ρ 0.1, ≥ 1 slice per volume):')
  for (const s of fractions) {
    const vols = order.slice(0, Math.max(1, Math.round(s * counts.length)))
    const picked = vols.map((v) => volumes[v] as Volume)
    let t0 = performance.now()
    const joint = pcaFeatures(picked, { fitOn: 'all' }, createRng(2))
    const tFeat = performance.now() - t0
    const rows = joint.reduce((a, m) => a + m.rows, 0)
    const totalK = vols.reduce((a, v) => a + budget(counts[v] as number, 0.1), 0)
    const parts = selectionRules.map((rule) => {
      t0 = performance.now()
      const out = selectAcrossVolumes(joint, totalK, rule, createRng(3))
      const dt = performance.now() - t0
      const per = out.map((x) => x.length)
      return `${rule} ${ms(dt)} ms (per-volume counts ${Math.min(...per)}–${Math.max(...per)})`
    })
    console.log(`      s ${fractionLabel(s).padEnd(3)} ${String(vols.length).padStart(3)} volumes, ${rows} slices, k ${totalK}: features ${ms(tFeat)} ms; ${parts.join('; ')}`)
  }
}
