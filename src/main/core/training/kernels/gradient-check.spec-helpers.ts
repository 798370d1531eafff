// Shared by the kernel specs: the tolerances and the assertion of a wasm gradient check.
//
// The checked loss is linear in each argument, so with h = 0.5 central differences err only by float32
// rounding (≈ 1e-6): 1e-3 of the largest gradient against finite differences, 1e-4 against the cpu backend.
import { expect } from 'vitest'
import { wasmGradientErrors, type Arg, type Op } from './finite-difference'

export const FD_TOLERANCE = 1e-3
export const CPU_TOLERANCE = 1e-4

/** Gradients on wasm against finite differences on wasm and against cpu's analytic gradients. */
export async function expectWasmGradients(op: Op, args: Arg[], outShape: number[], seed: number): Promise<void> {
  const errors = await wasmGradientErrors(op, args, outShape, seed)
  errors.againstFiniteDifferences.forEach((e, i) => expect(e, `argument ${i} vs finite differences`).toBeLessThan(FD_TOLERANCE))
  errors.againstCpu.forEach((e, i) => expect(e, `argument ${i} vs cpu`).toBeLessThan(CPU_TOLERANCE))
}
