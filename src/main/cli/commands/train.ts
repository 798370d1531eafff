import { readFileSync } from 'node:fs'
import { InvalidArgumentError, type Command } from 'commander'
import { InputError, refuseUnknownKeys } from '../../../shared/errors'
import { describeInitFrom } from '../../../shared/init-from'
import { interpolationMethods } from '../../../shared/interpolation'
import {
  describeAdapter,
  softwareAdapterWarning,
  lossKinds,
  optimizerKinds,
  scheduleKinds,
  trainBackends,
  TrainConfigSchema,
  type TrainConfigInput,
  type TrainProgress,
  type TrainResult,
} from '../../../shared/training'
import { interpolatePlan } from '../../core/interpolation/plan-run'
import { requireDataset } from '../../core/planning/plans'
import { trainRun } from '../../core/training/run-training'
import { interpolationOnWorkers } from '../../workers/executors'
import { trainOnWorker } from '../../workers/train-runner'
import { printJson, printTable, progressBar, type CliIo } from '../output'
import { cancellable } from './cancellable'
import { withWorkbench } from './context'
import { addModelOptions, modelFromFlags, type ModelFlags } from './model-options'
import { oneOf, parseSeed, positiveInteger } from './parsers'

/** A finite number (range checks are the config schema's, which names the option). */
const number = (what: string) => (v: string): number => {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${what} is a number, got "${v}"`)
  return n
}
/** "a,b,…" of positive integers, exactly `count` of them. */
const integers = (what: string, count: number) => (v: string): number[] => {
  const parts = v.split(/[,x×]/).map((s) => Number(s.trim()))
  if (parts.length !== count || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new InvalidArgumentError(`${what} takes ${count} positive integers separated by commas, got "${v}"`)
  }
  return parts
}
const numbers = (what: string) => (v: string): number[] => {
  const parts = v.split(',').map((s) => Number(s.trim()))
  if (parts.some((p) => !Number.isFinite(p))) throw new InvalidArgumentError(`${what} takes numbers separated by commas, got "${v}"`)
  return parts
}

interface TrainOptions extends ModelFlags {
  dataset: string
  plan?: number
  interpolated?: string
  config?: string
  steps?: number
  batch?: number
  lr?: number
  optimizer?: string
  weightDecay?: number
  schedule?: string
  loss?: string
  classWeights?: number[]
  seed?: number
  backend?: string
  threads?: number
  sliceSize?: number[]
  patch?: number[]
  patchClassWeights?: number[]
  patchUnannotated?: number
  flip?: boolean
  rotate?: number
  scale?: number
  elastic?: number
  biasField?: number
  intensity?: number
  checkpointEvery?: number
  initFrom?: string
  evaluate?: string
  valEvery?: number
  patience?: number
}

/** A JSON config file's content, or an InputError naming the file. */
function readConfigFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new InputError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object')
    return value as Record<string, unknown>
  } catch (e) {
    throw new InputError(path, `is not a JSON train config: ${(e as Error).message}`)
  }
}

/** Drops undefined fields so the schema's defaults apply. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** The train config the options describe: a --config file's fields, overridden by explicit options. */
export function trainConfigFromOptions(o: TrainOptions, datasetId: number): TrainConfigInput {
  const file = o.config ? readConfigFile(o.config) : {}
  const section = (name: string): Record<string, unknown> => {
    const v = file[name]
    if (v === undefined) return {}
    // Not dropped for a default: a section that is not an object of options is a mistake in the file.
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(o.config as string, `"${name}" is an object of options, got ${JSON.stringify(v)}`)
    return v as Record<string, unknown>
  }
  const input = {
    ...file,
    datasetId,
    ...defined({
      planId: o.plan,
      interpolated: o.interpolated,
      steps: o.steps,
      batchSize: o.batch,
      seed: o.seed,
      backend: o.backend,
      threads: o.threads,
      sliceSize: o.sliceSize,
      patchSize: o.patch,
      checkpointEvery: o.checkpointEvery,
      initFrom: o.initFrom,
      evaluateOn: o.evaluate,
      valEvery: o.valEvery,
      patience: o.patience,
    }),
    model: { ...section('model'), ...modelFromFlags(o) },
    loss: { ...section('loss'), ...defined({ kind: o.loss, classWeights: o.classWeights }) },
    optimizer: { ...section('optimizer'), ...defined({ kind: o.optimizer, lr: o.lr, weightDecay: o.weightDecay }) },
    schedule: { ...section('schedule'), ...defined({ kind: o.schedule }) },
    augment: {
      ...section('augment'),
      ...defined({
        flip: o.flip,
        rotateDegrees: o.rotate,
        scale: o.scale,
        elasticAlpha: o.elastic,
        biasField: o.biasField,
        intensityShift: o.intensity,
        intensityScale: o.intensity,
      }),
    },
    patchSampling: { ...section('patchSampling'), ...defined({ classWeights: o.patchClassWeights, unannotated: o.patchUnannotated }) },
  } as TrainConfigInput
  // Options only set known keys, so an unknown one came from the file: named with it, before any default is taken.
  if (o.config) refuseUnknownKeys(TrainConfigSchema, input, (path) => `train config${path ? ` ${path}` : ''} (file ${o.config})`)
  return input
}

const f3 = (x: number): string => x.toFixed(3)

function describeProgress(p: TrainProgress): string {
  if (p.phase === 'loading') return 'loading volumes'
  if (p.phase === 'evaluating') return `evaluating ${p.done ?? 0}/${p.total ?? 0}`
  const eta = p.etaSeconds === null ? '' : ` · ETA ${Math.round(p.etaSeconds)} s`
  const frac = p.annotatedFraction === null || p.annotatedFraction === 1 ? '' : ` · annotated ${(100 * p.annotatedFraction).toFixed(0)}%`
  return `loss ${p.loss?.toFixed(4) ?? '-'} · lr ${p.lr?.toExponential(2) ?? '-'} · ${p.stepsPerSecond?.toFixed(2) ?? '-'} steps/s${eta}${frac}`
}

function printResult(io: CliIo, runId: number, r: TrainResult): void {
  const where = r.adapter ? describeAdapter(r.adapter) : `${r.threads} thread${r.threads === 1 ? '' : 's'}`
  io.out(`run ${runId}: ${r.steps} steps on ${r.backend} (${where}), ${r.timings.msPerStep.toFixed(0)} ms/step, ${r.trainVolumes} training volumes, ${r.annotatedSlices} annotated slices, ${r.parameters} parameters`)
  const warning = softwareAdapterWarning(r.adapter)
  if (warning) io.err(`warning: ${warning}`)
  io.out(`checkpoint ${r.checkpoint}`)
  if (r.initFrom) for (const line of describeInitFrom(r.initFrom)) io.out(line.key === 'init from' ? `init from ${line.text}` : `  ${line.text}`)
  const v = r.validation
  if (v) {
    const stopped = v.stoppedAt === null ? '' : `; stopped early at step ${v.stoppedAt} (patience ${v.patience})`
    io.out(`validation every ${v.every} steps on ${v.volumes} volumes: best Dice ${f3(v.bestDice)} at step ${v.bestStep}${stopped}; evaluated the ${v.evaluatedWeights} weights${v.lastCheckpoint ? ` (last ones in ${v.lastCheckpoint})` : ''}`)
  }
  const e = r.evaluation
  if (!e) return
  io.out(`${e.split} split, ${e.volumes.length} volumes: mean foreground Dice ${f3(e.meanDice)}, IoU ${f3(e.meanIou)}`)
  printTable(io, ['class', 'Dice', 'IoU'], [['foreground', f3(e.meanDice), f3(e.meanIou)], ...e.perClass.map((c) => [String(c.label), f3(c.dice), f3(c.iou)])])
}

/** `workbench train`. */
export function registerTrainCommand(program: Command, io: CliIo): void {
  const command = program
    .command('train')
    .description('train a segmentation model on a plan\'s annotated slices (or dense labels) and evaluate it on the dense test volumes')
    .requiredOption('--dataset <name>', 'the dataset')
    .option('--plan <id>', 'annotation plan (default: dense training on every training volume)', positiveInteger('a plan id'))
    .option('--interpolated <method>', `M.I. mode: train on the plan's interpolated masks (${interpolationMethods.join(' | ')})`, oneOf(interpolationMethods, '--interpolated'))
    .option('--config <file>', 'a JSON train config (src/shared/training.ts); options given here override it')
  // The model's kind and options (and the help's list of models) are model-options.ts's.
  addModelOptions(command)
  command
    .option('--steps <n>', 'optimiser steps (default 1000)', positiveInteger('--steps'))
    .option('--batch <n>', 'batch size (default 16)', positiveInteger('--batch'))
    .option('--lr <x>', 'learning rate (default 1e-3)', number('--lr'))
    .option('--optimizer <kind>', optimizerKinds.join(' | '), oneOf(optimizerKinds, '--optimizer'))
    .option('--weight-decay <x>', 'weight decay (default 0)', number('--weight-decay'))
    .option('--schedule <kind>', scheduleKinds.join(' | '), oneOf(scheduleKinds, '--schedule'))
    .option('--loss <kind>', lossKinds.join(' | '), oneOf(lossKinds, '--loss'))
    .option('--class-weights <list>', 'cross-entropy weight per class, comma-separated', numbers('--class-weights'))
    .option('--seed <n>', 'seed of initialisation, batches and augmentation (default 0)', parseSeed)
    .option('--backend <name>', `force a backend: ${trainBackends.join(' | ')} (default: the first that works, fastest first; webgpu takes a software adapter only when forced)`, oneOf(trainBackends, '--backend'))
    .option('--threads <n>', 'wasm threads (default: one per core)', number('--threads'))
    .option('--slice-size <h,w>', '2D input size (default 64,64)', integers('--slice-size', 2))
    .option('--patch <i,j,k>', '3D patch size (default 32,32,32)', integers('--patch', 3))
    .option('--patch-class-weights <list>', '3D: weight of centring a patch on each class', numbers('--patch-class-weights'))
    .option('--patch-unannotated <w>', '3D: weight of centring a patch on an unannotated voxel', number('--patch-unannotated'))
    // Both spellings, so neither sets a default: the config file's augment.flip, else the schema's (off).
    .option('--flip', 'random flips along each axis (off by default: a flip swaps direction-dependent labels such as anterior/posterior hippocampus)')
    .option('--no-flip', 'no random flips')
    .option('--rotate <deg>', 'random rotation ±deg', number('--rotate'))
    .option('--scale <f>', 'random scale ±f', number('--scale'))
    .option('--elastic <px>', '2D elastic deformation amplitude in pixels', number('--elastic'))
    .option('--bias-field <a>', 'random bias field amplitude', number('--bias-field'))
    .option('--intensity <f>', 'random intensity shift and scale ±f', number('--intensity'))
    .option('--checkpoint-every <n>', 'also save a checkpoint every n steps', number('--checkpoint-every'))
    .option('--init-from <file>', 'start from a file\'s weights: a workbench checkpoint, or a PyTorch state dict you supply (safetensors, or torch.save\'s .pth/.pt/.bin zip) mapped by name onto the model\'s variables; the run reports what was loaded, skipped and kept at init (nothing is downloaded)')
    .option('--evaluate <split>', 'test | validation | none (default test)', oneOf(['test', 'validation', 'none'] as const, '--evaluate'))
    .option('--val-every <n>', 'score Dice on the validation volumes every n steps, recorded with the run (default 0: never)', number('--val-every'))
    .option('--patience <k>', 'early stopping: stop after k validations without a higher Dice and evaluate the best-on-validation weights (needs --val-every; default 0: off)', number('--patience'))
    .action(async (o: TrainOptions, command: Command) => {
      await withWorkbench(command, async (ctx, global) => {
        const dataset = requireDataset(ctx.db, o.dataset)
        const input = trainConfigFromOptions(o, dataset.id)
        const bar = progressBar(io, 'train')
        const run = await cancellable((signal) =>
          trainRun(
            {
              db: ctx.db,
              workspace: ctx.workspace,
              runner: trainOnWorker,
              interpolate: (planId, method) => interpolatePlan({ db: ctx.db, workspace: ctx.workspace, execute: interpolationOnWorkers, signal }, { planId, method }),
            },
            input,
            { signal, onProgress: (p) => bar.update(p.phase === 'evaluating' ? (p.done ?? 0) : p.step, p.phase === 'evaluating' ? (p.total ?? 0) : p.steps, describeProgress(p)) },
          ),
        ).finally(() => bar.end())
        if (global.json) return printJson(io, run)
        printResult(io, run.runId, run.result)
      })
    })
}
