/**
 * Models whose training step on TF.js's webgpu backend does not yet match the cpu backend (webgpu's
 * training.spec compares one step's loss and every gradient): the ladder skips webgpu for them and a forced
 * `--backend webgpu` is refused, saying why, rather than training them on wrong gradients. Found with
 * Mesa's software adapter; the cause is not yet located.
 */
import type { ModelKind } from '../../../../../shared/training'

const gaps: Partial<Record<ModelKind, string>> = {
  'inception-unet2d': "inception-unet2d's gradients on webgpu differ from the cpu backend's (from its first 1×1→3×3 branch on), cause not yet found",
  segformer2d: "segformer2d's gradients on webgpu differ from the cpu backend's (from the last stage's layer norm on), cause not yet found",
}

/** Why `kind` must not train on webgpu, or null where its step matches the cpu backend there. */
export function webgpuModelGap(kind: ModelKind): string | null {
  return gaps[kind] ?? null
}
