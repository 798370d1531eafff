/**
 * The tensorflow rung: `@tensorflow/tfjs-node-gpu` (CUDA), then `@tensorflow/tfjs-node` (CPU, native
 * TensorFlow). Both are optionalDependencies whose install script downloads libtensorflow: on a machine
 * without that route npm drops them and this rung records why it was skipped.
 */
import * as tf from '@tensorflow/tfjs'
import { firstLine } from '../first-line'

/** Native packages in order of preference: the GPU build first. */
export const nativePackages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const

/** Loads a module by a name TypeScript and the bundler must not resolve at build time. */
export const dynamicImport = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier)

/**
 * Why a native package did not load, in one line: "not installed" for a missing package (its message names
 * the importing file's absolute path, which says nothing to a user), else the loader's first line.
 */
function loadFailure(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed (an optional dependency: its install downloads libtensorflow, which needs network)'
  return `not loadable (${firstLine(e)})`
}

/** Loads native package `pkg`; on failure records why in `reasons` and returns false. */
export async function loadNativePackage(pkg: string, reasons: string[], load: (s: string) => Promise<unknown>): Promise<boolean> {
  try {
    await load(pkg)
    return true
  } catch (e) {
    reasons.push(`${pkg}: ${loadFailure(e)}`)
    return false
  }
}

/** Tries the native packages; returns true once one has made 'tensorflow' the active backend. */
export async function activateTensorflow(reasons: string[], load: (s: string) => Promise<unknown>): Promise<boolean> {
  for (const pkg of nativePackages) {
    if (!(await loadNativePackage(pkg, reasons, load))) continue
    // A package built against another copy of tfjs-core registers its backend there, not here.
    if (!tf.findBackendFactory('tensorflow')) {
      reasons.push(`${pkg}: loaded, but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs`)
      continue
    }
    try {
      if (await tf.setBackend('tensorflow')) return true
      reasons.push(`${pkg}: the 'tensorflow' backend failed to initialise`)
    } catch (e) {
      reasons.push(`${pkg}: the 'tensorflow' backend failed to initialise (${firstLine(e)})`)
    }
  }
  return false
}
