// The History view's logic: one row per run (with the same summary line as `workbench runs`), filters,
// side-by-side comparison of two runs, and the CSV / JSON exports. No Vue here, so it can be tested.
import type { RunRecord, RunStatus } from '../../../shared/run'
import { runSummary } from '../../../shared/run-summary'
import { describeModelConfig } from '../../../shared/model-catalogue'
import { describeAdapter, ModelConfigSchema, TrainResultSchema, type TrainResult } from '../../../shared/training'

export interface HistoryRow {
  id: number
  kind: string
  status: RunStatus
  dataset: string
  seed: number | null
  createdAt: string
  /** The summary line, with the first line of the error of a failed run. */
  summary: string
  /** What a training run computed on ("wasm", "webgpu · llvmpipe (opengl, software)"); '' for other runs and runs without a result. */
  backend: string
  /** Why each faster backend was not used (a training run's result), one line each. */
  backendReasons: string[]
  run: RunRecord
}

/** A training run's result; records older than the webgpu rung get `adapter: null` from the schema. */
export function trainResultOf(run: RunRecord): TrainResult | undefined {
  if (run.result === null) return undefined
  const parsed = TrainResultSchema.safeParse(run.result)
  return parsed.success ? parsed.data : undefined
}

/** "wasm", "webgpu · llvmpipe (opengl, software)": the backend of a result, with the adapter of a webgpu run. */
export function backendLabel(result: Pick<TrainResult, 'backend' | 'adapter'>): string {
  return result.backend === 'webgpu' && result.adapter ? `webgpu · ${describeAdapter(result.adapter)}` : result.backend
}

/** A run as a table row; `datasetNames` names datasets by id for runs whose config lacks the name. */
export function historyRow(run: RunRecord, datasetNames: ReadonlyMap<number, string> = new Map()): HistoryRow {
  const named = typeof run.config.dataset === 'string' ? run.config.dataset : undefined
  const dataset = named ?? (run.datasetId === null ? '' : (datasetNames.get(run.datasetId) ?? `#${run.datasetId}`))
  const summary = runSummary(run)
  const error = run.error?.split('\n')[0]
  const result = trainResultOf(run)
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    dataset,
    seed: run.seed,
    createdAt: run.createdAt,
    summary: error ? `${summary} — ${error}` : summary,
    backend: result ? backendLabel(result) : '',
    backendReasons: result?.backendReasons ?? [],
    run,
  }
}

export interface HistoryFilter {
  /** Words that must all appear (case-insensitive) in the row or the run's config. */
  text: string
  kind: string
  status: RunStatus | ''
}

/** The rows that pass the filter, in their order. */
export function filterRows(rows: readonly HistoryRow[], filter: HistoryFilter): HistoryRow[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter((w) => w !== '')
  return rows.filter((row) => {
    if (filter.kind && row.kind !== filter.kind) return false
    if (filter.status && row.status !== filter.status) return false
    if (words.length === 0) return true
    const haystack = [row.id, row.kind, row.status, row.dataset, row.seed ?? '', row.createdAt, row.backend, row.summary, JSON.stringify(row.run.config)]
      .join(' ')
      .toLowerCase()
    return words.every((w) => haystack.includes(w))
  })
}

const csvColumns = ['id', 'kind', 'status', 'dataset', 'seed', 'created', 'summary'] as const

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The rows as CSV with a header line, CRLF line ends as RFC 4180 has them. */
export function rowsToCsv(rows: readonly HistoryRow[]): string {
  const lines = [csvColumns.join(',')]
  for (const r of rows) lines.push([r.id, r.kind, r.status, r.dataset, r.seed, r.createdAt, r.summary].map(csvField).join(','))
  return `${lines.join('\r\n')}\r\n`
}

/** The rows' full run records (config, result, error) as pretty JSON. */
export function rowsToJson(rows: readonly HistoryRow[]): string {
  return `${JSON.stringify(rows.map((r) => r.run), null, 2)}\n`
}

/** Nested objects as dotted keys ("model.depth"); arrays and scalars are leaves, shown as JSON. */
export function flatten(value: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) flatten(inner, prefix ? `${prefix}.${key}` : key, out)
  } else if (prefix) {
    out.set(prefix, value === undefined ? '' : JSON.stringify(value))
  }
  return out
}

export interface ComparisonRow {
  key: string
  a: string
  b: string
  differs: boolean
}

/** Two configs key by key (the union of their keys, sorted), with the differing keys marked. */
export function compareConfigs(a: Record<string, unknown>, b: Record<string, unknown>): ComparisonRow[] {
  const fa = flatten(a)
  const fb = flatten(b)
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort()
  return keys.map((key) => {
    const va = fa.get(key) ?? '—'
    const vb = fb.get(key) ?? '—'
    return { key, a: va, b: vb, differs: va !== vb }
  })
}

/** The metrics of a training run worth comparing, by name ('' where the run has no result). */
export function trainingMetrics(run: RunRecord): Map<string, string> {
  const out = new Map<string, string>()
  const result = trainResultOf(run)
  out.set('status', run.status)
  if (!result) return out
  const model = ModelConfigSchema.safeParse(run.config.model)
  // Every option its kind reads (SegResNet's blocks, UNETR's ViT, SegFormer's size), defaults filled in.
  out.set('model', model.success ? describeModelConfig(model.data) : '—')
  const f3 = (x: number): string => x.toFixed(3)
  const e = result.evaluation
  if (e) {
    out.set(`${e.split} Dice (foreground)`, f3(e.meanDice))
    out.set(`${e.split} IoU (foreground)`, f3(e.meanIou))
    for (const c of e.perClass) {
      out.set(`${e.split} Dice class ${c.label}`, f3(c.dice))
      out.set(`${e.split} IoU class ${c.label}`, f3(c.iou))
    }
  }
  const finalLoss = result.curve[result.curve.length - 1]?.loss
  if (finalLoss !== undefined) out.set('final loss', finalLoss.toFixed(4))
  out.set('backend', result.backend)
  out.set('adapter', result.adapter ? describeAdapter(result.adapter) : '—')
  out.set('threads', result.backend === 'webgpu' ? '—' : String(result.threads))
  // One reason a line (the comparison shows them on separate lines).
  out.set('why not faster', result.backendReasons.length > 0 ? result.backendReasons.join('\n') : '—')
  out.set('steps', String(result.steps))
  out.set('ms / step', result.timings.msPerStep.toFixed(0))
  out.set('training time (s)', (result.timings.trainMs / 1000).toFixed(1))
  out.set('parameters', String(result.parameters))
  out.set('annotated slices', String(result.annotatedSlices))
  out.set('peak RSS (MB)', result.peakRssMb.toFixed(0))
  return out
}

/** Two runs' metrics side by side, in the first run's order, then any only the second has. */
export function compareMetrics(a: RunRecord, b: RunRecord): ComparisonRow[] {
  const ma = trainingMetrics(a)
  const mb = trainingMetrics(b)
  const keys = [...new Set([...ma.keys(), ...mb.keys()])]
  return keys.map((key) => {
    const va = ma.get(key) ?? '—'
    const vb = mb.get(key) ?? '—'
    return { key, a: va, b: vb, differs: va !== vb }
  })
}
