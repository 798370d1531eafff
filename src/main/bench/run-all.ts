// `npm run bench`: every benchmark, one after another (never in the timed tests). Each prints its own
// figures with a ratio against a reference measured in the same run, because these machines are noisy.
import benchImport from './import.bench'
import benchInterpolation from './interpolation.bench'
import benchNiftiRead from './nifti-read.bench'
import benchSelectors from './selectors.bench'
import benchTrainingKernels from './training-kernels.bench'

const benches: [string, () => Promise<void>][] = [
  ['nifti-read', benchNiftiRead],
  ['import', benchImport],
  ['selectors', benchSelectors],
  ['interpolation', benchInterpolation],
  ['training-kernels', benchTrainingKernels],
]

const only = process.argv[2]
for (const [name, bench] of benches) {
  if (only && only !== name) continue
  await bench()
}
