import { describe, expect, it } from 'vitest'
import { ModelConfigSchema, type ModelConfig } from './training'
import {
  activationFloatsPerSample,
  formatBytes,
  importBytes,
  importShapeProblem,
  largestActivationFloats,
  memoryBudget,
  parameterBytes,
  resampledShape,
  sampleBytes,
  trainingBytes,
  trainingSizeProblem,
} from './limits'

describe('formatBytes', () => {
  it('writes bytes in decimal units with at most three significant digits', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1234)).toBe('1.23 KB')
    expect(formatBytes(11_770_000_000)).toBe('11.8 GB')
    expect(formatBytes(364_904_448)).toBe('365 MB')
    expect(formatBytes(1.6e16)).toBe('16 PB')
    expect(formatBytes(Infinity)).toBe('more than any machine holds')
  })
})

describe('import sizes', () => {
  it('need 4 bytes × 4 copies a voxel of the preprocessed shape', () => {
    expect(importBytes([100_000, 100_000, 100_000])).toBe(1.6e16)
    expect(importBytes([256, 256, 256])).toBe(268_435_456)
  })

  it('refuse a shape over half the machine with the size it would need, and one NIfTI-1 cannot store', () => {
    expect(memoryBudget(24e9)).toBe(12e9)
    expect(importShapeProblem([100_000, 100_000, 100_000], 24e9)).toBe(
      'would need 16 PB (4 bytes × 4 copies a voxel); this machine can give one import at most 12 GB (half of its 24 GB)',
    )
    expect(importShapeProblem([256, 256, 256], 24e9)).toBeNull()
    // 268 MB against a 500 MB machine (250 MB for one import).
    expect(importShapeProblem([256, 256, 256], 500e6)).toMatch(/^would need 268 MB .* at most 250 MB \(half of its 500 MB\)$/)
    expect(importShapeProblem([40_000, 10, 10], 24e9)).toBe("exceeds NIfTI-1's 32767 voxels per axis (the import writes NIfTI-1)")
  })

  it('resample a volume to the shape its physical extent has at the target spacing', () => {
    expect(resampledShape([35, 50, 35], [1, 1, 1], [0.5, 0.5, 2])).toEqual([70, 100, 18])
    expect(resampledShape([10, 10, 10], [1, 1, 1], [100, 100, 100])).toEqual([1, 1, 1])
  })
})

describe('training sizes', () => {
  const unet = (input: Partial<ModelConfig>): ModelConfig => ModelConfigSchema.parse(input)

  it('count a U-Net 16 tensors a level and 8 at the bottleneck, each c_i channels at the level resolution', () => {
    // 2D 64×64, depth 3, base 16: 16·16·4096 + 16·32·1024 + 16·64·256 + 8·128·64.
    expect(activationFloatsPerSample(unet({ depth: 3, baseChannels: 16 }), [64, 64])).toBe(1_048_576 + 524_288 + 262_144 + 65_536)
    // 3D 32³, depth 1, base 2: 16·2·32768 + 8·4·4096.
    expect(activationFloatsPerSample(unet({ kind: 'unet3d', depth: 1, baseChannels: 2 }), [32, 32, 32])).toBe(1_048_576 + 131_072)
    // × batch 16 × 4 bytes × 3 (activations, gradients, temporaries), and 482,483 parameters (3 classes) × 4 bytes × 4
    // (the weight, its gradient, Adam's two moments).
    expect(parameterBytes(unet({}), 3)).toBe(482_483 * 16)
    expect(trainingBytes({ input: [64, 64], model: unet({}), batchSize: 16, numClasses: 3 })).toBe(16 * 1_900_544 * 12 + 482_483 * 16)
  })

  it('blame the slice size when one sample cannot fit, else the batch, with the largest batch that fits', () => {
    const g = { input: [64, 64], model: unet({}), batchSize: 16, numClasses: 3 }
    expect(trainingSizeProblem(g, 24e9, 'sliceSize')).toBeNull()
    // One sample: 22.8 MB, the weights 7.7 MB; 100 MB for one run holds 4.
    expect(trainingSizeProblem(g, 200e6, 'sliceSize')).toEqual({
      field: 'batchSize',
      problem:
        "16 at 64×64 would need 373 MB (7.72 MB of weights with their gradients and Adam's moments, and 16 samples × float32 activations, gradients and temporaries of unet2d, depth 3, base channels 16, norm batch); " +
        'this machine can give one training run at most 100 MB (half of its 200 MB): at most 4 samples a batch fit',
    })
    const huge = trainingSizeProblem({ ...g, input: [100_000, 100_000] }, 24e9, 'sliceSize')
    expect(huge?.field).toBe('sliceSize')
    expect(huge?.problem).toMatch(/^100000×100000 would need 55.7 TB \(.* one sample's float32 .*\); this machine can give one training run at most 12 GB/)
    expect(trainingSizeProblem({ input: [512, 512, 512], model: unet({ kind: 'unet3d' }), batchSize: 1, numClasses: 2 }, 24e9, 'patchSize')?.field).toBe('patchSize')
  })

  it('blame the model when its weights and Adam state alone do not fit', () => {
    const wide = unet({ depth: 5, baseChannels: 256 })
    const problem = trainingSizeProblem({ input: [64, 64], model: wide, batchSize: 1, numClasses: 2 }, 4e9, 'sliceSize')
    expect(problem?.field).toBe('model')
    expect(problem?.problem).toMatch(/^unet2d, depth 5, base channels 256, norm batch would need \d+(\.\d+)? GB \(the weights of unet2d, .* with their gradients and Adam's moments\); this machine can give one training run at most 2 GB/)
  })

  it("estimate each kind's bytes a sample within 10 % under to 25 % over its measured peak-RSS slope (wasm, 2 threads)", () => {
    // The slopes trainingCopies was calibrated on (see its comment): peak RSS over batch size in 3-step runs.
    const measured: [Partial<ModelConfig>, number[], number][] = [
      [{ kind: 'unet2d', depth: 3, baseChannels: 16 }, [64, 64], 24.7e6],
      [{ kind: 'inception-unet2d', depth: 3, baseChannels: 8 }, [64, 64], 30.8e6],
      [{ kind: 'segresnet2d', baseChannels: 8 }, [64, 64], 19.1e6],
      [{ kind: 'segresnet3d', baseChannels: 8 }, [32, 32, 32], 111e6],
      [{ kind: 'unetr3d', hiddenSize: 192, layers: 4, heads: 4, mlpDim: 768, patchEdge: 8, imageSize: [32, 32, 32] }, [32, 32, 32], 252e6],
      [{ kind: 'segformer2d', size: 'b0' }, [128, 128], 169e6],
    ]
    for (const [model, input, bytes] of measured) {
      const ratio = sampleBytes(unet(model), input) / bytes
      expect(ratio, JSON.stringify(model)).toBeGreaterThan(0.9)
      expect(ratio, JSON.stringify(model)).toBeLessThan(1.25)
    }
  })

  it("count a ViT's attention as tokens² × heads per layer", () => {
    // 32³ in 4³ ViT patches: 512 tokens; 4 more heads on each of 4 layers keep 4 tensors of 512² scores each more.
    const vit = (heads: number): ModelConfig => unet({ kind: 'unetr3d', hiddenSize: 96, layers: 4, heads, mlpDim: 192, patchEdge: 4, imageSize: [32, 32, 32] })
    expect(activationFloatsPerSample(vit(8), [32, 32, 32]) - activationFloatsPerSample(vit(4), [32, 32, 32])).toBe(4 * 4 * 4 * 512 * 512)
    // The scores are the largest single activation there (8 heads × 512² against the decoder's 2 × 16 × 32³).
    expect(largestActivationFloats(vit(8), [32, 32, 32])).toBe(8 * 512 * 512)
    expect(largestActivationFloats(unet({}), [64, 64])).toBe(2 * 16 * 4096)
  })
})
