// `npm run bench`: every benchmark, one after another (never in the timed tests). Each prints its own
// figures with a ratio against a reference measured in the same run, because these machines are noisy.
import benchImport from './import.bench'
import benchInterpolation from './interpolation.bench'
import benchNiftiRead from './nifti-read.bench'
import benchSelectors from './selectors.bench'
import benchSliceStep from './slice-step.bench'
import benchTrainingQuality from './training-quality.bench'
import benchTrainingKernels from './training-kernels.bench'
import benchTrainingParity from './training-parity.bench'
import benchTrainingStep from './training-step.bench'

const benches: [string, () => Promise<void>][] = [
  ['nifti-read', benchNiftiRead],
  ['import', benchImport],
  ['selectors', benchSelectors],
  ['interpolation', benchInterpolation],
  ['training-kernels', benchTrainingKernels],
  ['training-step', benchTrainingStep],
]
/** Benchmarks that take hours, and diagnostics: run only when named. */
const onRequest: [string, () => Promise<void>][] = [
  ['training-quality', benchTrainingQuality],
  ['training-parity', () => benchTrainingParity()],
  // Drives headless Chromium through browser mode: an end-to-end measurement, not a unit of the core.
  ['slice-step', benchSliceStep],
]

const only = process.argv[2]
for (const [name, bench] of [...benches, ...onRequest]) {
  if (only ? only !== name : onRequest.some(([n]) => n === name)) continue
  await bench()
}
if (only && ![...benches, ...onRequest].some(([n]) => n === only)) {
  console.error(`no benchmark named ${only}; there are ${[...benches, ...onRequest].map(([n]) => n).join(', ')}`)
  process.exitCode = 2
}
