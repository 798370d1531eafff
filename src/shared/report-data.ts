/**
 * What a sweep report is computed from, and the findings it states. `workbench report` writes the data as
 * `data.json` beside the figures, so a committed report can be recomputed from that file alone
 * (`workbench report --data FILE --out DIR`) and checked against its own figures.
 */
import { z } from 'zod'
import { SweepCountsSchema, SweepRecordSchema, TrialRecordSchema } from './sweep'
import { ValidationPointSchema } from './training'

/** One done trial, flattened for grouping. */
export const TrialPointSchema = z.object({
  trialId: z.number().int(),
  model: z.string(),
  density: z.number(),
  volumeFraction: z.number(),
  method: z.string(),
  interpolation: z.string(),
  seed: z.number().int(),
  dense: z.boolean(),
  /** Annotated slices as a fraction of all training slices. */
  budgetFraction: z.number(),
  /** ρ·s: the budget the grid intended (equal for cells on one line of equal budget). */
  nominalBudget: z.number(),
  meanIou: z.number(),
  meanDice: z.number(),
  msPerStep: z.number(),
  trainMs: z.number(),
})
export type TrialPoint = z.infer<typeof TrialPointSchema>

/** A finished interpolation run of one of the sweep's plans (Table 3). */
export const InterpolationPointSchema = z.object({
  planId: z.number().int(),
  method: z.string(),
  density: z.number(),
  volumeFraction: z.number(),
  seed: z.number().int(),
  meanIou: z.number(),
  meanDice: z.number(),
})
export type InterpolationPoint = z.infer<typeof InterpolationPointSchema>

/** A done dense trial with its run's validation curve (null where the run recorded none). */
export const DenseRunSchema = z.object({
  model: z.string(),
  seed: z.number().int(),
  steps: z.number().int(),
  curve: z.array(ValidationPointSchema).nullable(),
})
export type DenseRun = z.infer<typeof DenseRunSchema>

/** Everything a report's figures, sentences, findings and head are computed from. */
export const SweepDataSchema = z.object({
  sweep: SweepRecordSchema,
  trials: z.array(TrialRecordSchema),
  points: z.array(TrialPointSchema),
  interpolation: z.array(InterpolationPointSchema),
  /** The split the trials were scored on (the sweep's evaluateOn). */
  split: z.enum(['test', 'validation']),
  denseRuns: z.array(DenseRunSchema),
})
export type SweepData = z.infer<typeof SweepDataSchema>

/** One dense run of a reference trainer (the PyTorch twin): its test Dice and validation curve. */
export const TwinRunSchema = z.object({
  seed: z.number().int(),
  testDice: z.number(),
  steps: z.number().int(),
  curve: z.array(ValidationPointSchema),
  msPerStep: z.number(),
})
export type TwinRun = z.infer<typeof TwinRunSchema>

export const TWIN_REFERENCE_FORMAT = 'workbench-twin-reference'

/**
 * What another trainer reached with a sweep's dense protocol (`npm run bench -- training-quality` writes it with
 * QUALITY_OUT=FILE; `workbench report --reference FILE` compares the sweep's dense baseline with it).
 */
export const TwinReferenceSchema = z.object({
  format: z.literal(TWIN_REFERENCE_FORMAT),
  version: z.literal(1),
  /** What trained it, in words: "PyTorch 1.13.0 twin (src/main/bench/pytorch/quality_twin.py), 2 threads". */
  trainer: z.string(),
  /** The protocol it trained: a train config's model, loss, optimizer, schedule, augment, steps, batchSize, sliceSize. */
  protocol: z.record(z.string(), z.unknown()),
  /** Volumes in the data set's train, validation and test splits. */
  split: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  runs: z.array(TwinRunSchema).min(1),
})
export type TwinReference = z.infer<typeof TwinReferenceSchema>

export const REPORT_DATA_FORMAT = 'workbench-report-data'

/** `data.json` of a report: the sweep's data, its trial counts when the report was written, and the reference. */
export const ReportDataFileSchema = SweepDataSchema.extend({
  format: z.literal(REPORT_DATA_FORMAT),
  version: z.literal(1),
  counts: SweepCountsSchema,
  /** The reference the dense baseline was compared with (`--reference`), or null. */
  reference: TwinReferenceSchema.nullable().default(null),
})
export type ReportDataFile = z.infer<typeof ReportDataFileSchema>

/**
 * One of the paper's three findings, asked of this sweep: `holds` where the data agree with it, `contradicted`
 * where they detectably disagree, `not detectable` where the test cannot tell, `not measured` where the grid
 * lacks the cells.
 */
export const PaperFindingSchema = z.object({
  id: z.enum(['volumes', 'selection', 'interpolation']),
  /** The paper's finding, in its words' sense. */
  paper: z.string(),
  verdict: z.enum(['holds', 'contradicted', 'not detectable', 'not measured']),
  /** What this sweep says about it: the comparisons with n, p, the median difference and its 95 % interval. */
  sentence: z.string(),
})
export type PaperFinding = z.infer<typeof PaperFindingSchema>
