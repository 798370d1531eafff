// The model part of the Train form and the sweep form: which inputs a kind shows (only the options it takes, from
// the shared model catalogue), the model config those inputs describe, and each kind's label in the model menu with
// its parameter count for the options as they stand (closed form, shared with `train --help`). No Vue here.
import { modelCatalogue, modelFacts, modelFields, type ModelField } from '../../../shared/model-catalogue'
import { modelOptionDefaults, modelOptionFlags } from '../../../shared/models'
import { formatParameterCount, parameterCount } from '../../../shared/param-counts'
import { ModelConfigSchema, TrainConfigSchema, type ModelConfig, type ModelKind, type Normalisation, type SegformerSize, type TrainConfigInput } from '../../../shared/training'

/** A model config as a form gives it (the core fills in and checks the rest). */
export type ModelConfigInput = NonNullable<TrainConfigInput['model']>

/** The model inputs of a form, as typed (number inputs may hold text in the sweep form). */
export interface ModelValues {
  depth: number | string
  baseChannels: number | string
  normalisation: Normalisation
  /** SegResNet's blocks per level, "1,2,2,4". */
  blocksDown: string
  blocksUp: string
  hiddenSize: number | string
  layers: number | string
  heads: number | string
  mlpDim: number | string
  patchEdge: number | string
  size: SegformerSize
}

/** The schema's and the kinds' defaults as form values. */
export function defaultModelValues(): ModelValues {
  const m = ModelConfigSchema.parse({})
  const d = modelOptionDefaults
  return {
    depth: m.depth,
    baseChannels: m.baseChannels,
    normalisation: m.normalisation,
    blocksDown: d.blocksDown.join(','),
    blocksUp: d.blocksUp.join(','),
    hiddenSize: d.hiddenSize,
    layers: d.layers,
    heads: d.heads,
    mlpDim: d.mlpDim,
    patchEdge: d.patchEdge,
    size: d.size,
  }
}

/** Every kind in menu order (the catalogue's). */
export const menuKinds: readonly ModelKind[] = modelCatalogue.map((f) => f.kind)

/** A form input of the model part: the config field, its label for the kind, and the test id / flag it goes by. */
export interface ModelInput {
  field: Exclude<ModelField, 'imageSize'>
  label: string
  /** How it is entered: a whole number, a list of whole numbers, or a choice. */
  type: 'number' | 'list' | 'normalisation' | 'size'
  /** The CLI flag without its dashes ("blocks-down", "base"): the inputs' test ids. */
  id: string
}

/** Each model input's label (baseChannels has its kind's own name: see modelInputs). */
export const modelInputLabels: Record<Exclude<ModelField, 'imageSize'>, string> = {
  depth: 'Depth',
  baseChannels: 'Base channels',
  normalisation: 'Normalisation',
  blocksDown: 'Blocks down',
  blocksUp: 'Blocks up',
  hiddenSize: 'Hidden size',
  layers: 'Layers',
  heads: 'Heads',
  mlpDim: 'MLP width',
  patchEdge: 'ViT patch',
  size: 'Size',
}

const baseLabel: Partial<Record<ModelKind, string>> = { segresnet2d: 'Init filters', segresnet3d: 'Init filters', unetr3d: 'Feature size' }
const sharedIds = { depth: 'depth', baseChannels: 'base', normalisation: 'norm' } as const

/** The inputs `kind` shows, in the catalogue's order (imageSize is the training patch, set by the core). */
export function modelInputs(kind: ModelKind): ModelInput[] {
  // A remembered or typed kind that no longer exists shows nothing (the schema then names it).
  if (!menuKinds.includes(kind)) return []
  return modelFields(kind)
    .filter((f): f is ModelInput['field'] => f !== 'imageSize')
    .map((field) => ({
      field,
      label: field === 'baseChannels' ? (baseLabel[kind] ?? modelInputLabels.baseChannels) : modelInputLabels[field],
      type: field === 'blocksDown' || field === 'blocksUp' ? 'list' : field === 'normalisation' ? 'normalisation' : field === 'size' ? 'size' : 'number',
      id: field in sharedIds ? sharedIds[field as keyof typeof sharedIds] : modelOptionFlags[field as Exclude<ModelInput['field'], keyof typeof sharedIds>].slice(2),
    }))
}

/** "1, 2,2" → [1, 2, 2] ('' → []); a part that is not a number stays NaN, so the schema names the field. */
function list(text: string): number[] {
  return text.split(/[\s,]+/).filter((p) => p !== '').map(Number)
}

/** The model config the inputs describe for `kind`: the kind and only the fields it reads (the core refuses others). */
export function modelFromValues(kind: ModelKind, values: ModelValues): ModelConfigInput {
  const model: Record<string, unknown> = { kind }
  for (const input of modelInputs(kind)) {
    const v = values[input.field]
    model[input.field] = input.type === 'list' ? list(String(v)) : input.type === 'number' ? (String(v).trim() === '' ? Number.NaN : Number(v)) : v
  }
  return model as ModelConfigInput
}

/** The default training patch as the 3D net sees it (D×H×W): UNETR's position embedding, so its count, depends on it. */
const defaultPatch = TrainConfigSchema.parse({ datasetId: 1 }).patchSize
const defaultImageSize: [number, number, number] = [defaultPatch[2], defaultPatch[1], defaultPatch[0]]

/** Parameters of `kind` with these inputs for 1 channel and `numClasses`; undefined while an input is not valid. */
export function modelParameterCount(kind: ModelKind, values: ModelValues, numClasses = 2): number | undefined {
  const parsed = ModelConfigSchema.safeParse(modelFromValues(kind, values))
  if (!parsed.success) return undefined
  const config: ModelConfig = kind === 'unetr3d' ? { ...parsed.data, imageSize: defaultImageSize } : parsed.data
  try {
    return parameterCount(config, 1, numClasses)
  } catch {
    return undefined
  }
}

/** The model menu's line for a kind: "segresnet3d — SegResNet, 3D, 4.7 M parameters" (with the inputs as they stand). */
export function modelChoiceLabel(kind: ModelKind, values: ModelValues, numClasses = 2): string {
  const f = modelFacts(kind)
  const count = modelParameterCount(kind, values, numClasses)
  return `${kind} — ${f.name}, ${f.dims}D, ${count === undefined ? '? (check the options)' : formatParameterCount(count)} parameters`
}


/** The source paper of a kind, for the menu's tooltip. */
export function modelPaper(kind: ModelKind): string {
  return modelFacts(kind).paper
}
