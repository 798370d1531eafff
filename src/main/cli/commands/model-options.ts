/**
 * The model options of `workbench train`: the kind, the U-Nets' depth, width and norm, and each architecture's own
 * options (flags as src/shared/models.ts's modelOptionFlags names them), with a help section that lists every kind
 * with its source paper and its parameter count at its defaults (closed form: instant). An option given to a kind
 * that does not take it is refused by name when the config is resolved (resolveModelConfig).
 */
import { InvalidArgumentError, type Command } from 'commander'
import { modelCatalogue } from '../../../shared/model-catalogue'
import { modelOptionDefaults, modelOptionFlags, modelOptions, type ModelOptionKey } from '../../../shared/models'
import { formatParameterCount, parameterCount } from '../../../shared/param-counts'
import { modelKinds, normalisations, segformerSizes, TrainConfigSchema, type ModelConfig, type ModelKind } from '../../../shared/training'
import { oneOf, positiveInteger } from './parsers'

/** What the model flags parse to (commander's camelCase of each flag). */
export interface ModelFlags {
  model?: ModelKind
  depth?: number
  base?: number
  norm?: ModelConfig['normalisation']
  size?: ModelConfig['size']
  blocksDown?: number[]
  blocksUp?: number[]
  hiddenSize?: number
  layers?: number
  heads?: number
  mlpDim?: number
  vitPatch?: number
}

/** "1,2,2,4" → [1, 2, 2, 4]: positive integers separated by commas ('' is none, for a one-level SegResNet's blocks up). */
function blockCounts(flag: string): (v: string) => number[] {
  return (v) => {
    if (v.trim() === '') return []
    const parts = v.split(',').map((s) => Number(s.trim()))
    if (parts.some((p) => !Number.isInteger(p) || p < 1)) throw new InvalidArgumentError(`${flag} takes positive integers separated by commas, got "${v}"`)
    return parts
  }
}

/** The kinds that take an option, for its help line. */
function takenBy(key: ModelOptionKey): string {
  return modelKinds.filter((k) => modelOptions(k).includes(key)).join(', ')
}

const d = modelOptionDefaults
const unets = modelCatalogue.filter((f) => f.sharedFields.includes('depth')).map((f) => f.kind).join(', ')

/** Adds --model and every model option to the train command. */
export function addModelOptions(command: Command): Command {
  const flag = (key: ModelOptionKey, value: string): string => `${modelOptionFlags[key]} <${value}>`
  return command
    .option('--model <kind>', `${modelKinds.join(' | ')} (default unet2d; see Models below)`, oneOf(modelKinds, '--model'))
    .option('--depth <n>', `down-sampling levels of ${unets} (default 3)`, positiveInteger('--depth'))
    .option('--base <n>', "channels of the first level (default 16): the U-Nets' base channels, SegResNet's init filters, UNETR's feature size", positiveInteger('--base'))
    .option('--norm <kind>', `${normalisations.join(' | ')} for ${unets} (default batch)`, oneOf(normalisations, '--norm'))
    .option(flag('size', segformerSizes.join('|')), `${takenBy('size')}: the Mix Transformer encoder size (default ${d.size}; the paper's is b3)`, oneOf(segformerSizes, modelOptionFlags.size))
    .option(flag('blocksDown', 'list'), `${takenBy('blocksDown')}: residual blocks at each level down (default ${d.blocksDown.join(',')})`, blockCounts(modelOptionFlags.blocksDown))
    .option(flag('blocksUp', 'list'), `${takenBy('blocksUp')}: residual blocks at each level up, one level fewer (default ${d.blocksUp.join(',')})`, blockCounts(modelOptionFlags.blocksUp))
    .option(flag('hiddenSize', 'n'), `${takenBy('hiddenSize')}: the ViT's token width, a multiple of --heads (default ${d.hiddenSize})`, positiveInteger(modelOptionFlags.hiddenSize))
    .option(flag('layers', 'n'), `${takenBy('layers')}: transformer layers, a multiple of 4 (default ${d.layers})`, positiveInteger(modelOptionFlags.layers))
    .option(flag('heads', 'n'), `${takenBy('heads')}: attention heads (default ${d.heads})`, positiveInteger(modelOptionFlags.heads))
    .option(flag('mlpDim', 'n'), `${takenBy('mlpDim')}: the ViT's MLP width (default ${d.mlpDim})`, positiveInteger(modelOptionFlags.mlpDim))
    .option(flag('patchEdge', 'n'), `${takenBy('patchEdge')}: edge of the ViT's cubic patch; --patch must be a multiple of it (default ${d.patchEdge})`, positiveInteger(modelOptionFlags.patchEdge))
    .addHelpText('after', () => modelsHelp())
}

/** The model section the flags give (only the flags given, so a --config file's values and the defaults stay). */
export function modelFromFlags(o: ModelFlags): Partial<ModelConfig> {
  const given = {
    kind: o.model,
    depth: o.depth,
    baseChannels: o.base,
    normalisation: o.norm,
    size: o.size,
    blocksDown: o.blocksDown,
    blocksUp: o.blocksUp,
    hiddenSize: o.hiddenSize,
    layers: o.layers,
    heads: o.heads,
    mlpDim: o.mlpDim,
    patchEdge: o.vitPatch,
  }
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<ModelConfig>
}

/** UNETR's parameter count depends on its position embedding, so the help counts it at the default training patch. */
const defaultPatch = TrainConfigSchema.parse({ datasetId: 1 }).patchSize

/** The config `train --model <kind>` trains with no other model option (UNETR at the default patch). */
function defaultConfig(kind: ModelKind): ModelConfig {
  const model = TrainConfigSchema.parse({ datasetId: 1, model: { kind } }).model
  return kind === 'unetr3d' ? { ...model, imageSize: [defaultPatch[2], defaultPatch[1], defaultPatch[0]] } : model
}

/** The help section listing every kind: dimensions, parameters at its defaults, name and source paper. */
export function modelsHelp(): string {
  const rows = modelCatalogue.map((f) => {
    const count = formatParameterCount(parameterCount(defaultConfig(f.kind), 1, 2))
    return `  ${f.kind.padEnd(17)} ${f.dims}D ${count.padStart(7)}  ${f.name}: ${f.paper}`
  })
  return [
    '',
    `Models (--model), with their parameters at the defaults for 1 input channel and 2 classes (unetr3d at the default ${defaultPatch.join('×')} patch):`,
    ...rows,
    'A model option given to a kind that does not take it is refused by name.',
  ].join('\n')
}
