/**
 * `--init-from FILE`: our checkpoint (the whole net, strictly), or a PyTorch state dict the user supplies as
 * safetensors or as torch.save's zip (.pth, .pt, .bin), told apart by the file's first bytes. A state dict is
 * mapped by name (load-state-dict.ts). Either way the run records what was loaded (InitFromReport). The file is
 * read before the net is built, so a bad file costs nothing; nothing is ever downloaded.
 */
import type { InitFromReport } from '../../../../shared/training'
import { loadCheckpointInto, readCheckpoint, type Checkpoint, type CheckpointableNet } from '../checkpoint'
import { shown, type StateDictFile } from './file-tensor'
import { loadStateDictInto, type LoadableNet } from './load-state-dict'
import { readHead, readWeightsFile, sniffWeightsFormat } from './read-weights'

/** A file read for --init-from, not yet applied. */
export type InitSource = { readonly kind: 'checkpoint'; readonly checkpoint: Checkpoint } | { readonly kind: 'state-dict'; readonly file: StateDictFile }

/** Reads `path` as our checkpoint or a state dict (InputError naming it on any problem). */
export function readInitSource(path: string): InitSource {
  if (sniffWeightsFormat(readHead(path)) === 'checkpoint') return { kind: 'checkpoint', checkpoint: readCheckpoint(path) }
  return { kind: 'state-dict', file: readWeightsFile(path) }
}

/** Loads `source` (read from `path`) into `net` and says what went where; a refusal assigns nothing. */
export function applyInitSource(net: CheckpointableNet & LoadableNet, source: InitSource, path: string): InitFromReport {
  if (source.kind === 'state-dict') return loadStateDictInto(net, source.file, path)
  loadCheckpointInto(net, source.checkpoint, path)
  return {
    file: path,
    format: 'checkpoint',
    prefix: { file: '', ours: '' },
    loaded: [...net.weights.keys(), ...net.state.keys()],
    skipped: [],
    missing: [],
    mismatched: [],
    converted: {},
  }
}

/** The report in a few lines for a terminal: counts, the prefix pairing, and the names of what was not loaded. */
export function describeInitFrom(report: InitFromReport, maxNames = 8): string[] {
  const names = (list: readonly string[]): string => (list.length <= maxNames ? list.join(', ') : `${list.slice(0, maxNames).join(', ')}, … (${list.length - maxNames} more)`)
  const total = report.loaded.length + report.missing.length + report.mismatched.length
  const file = shown(report.prefix.file)
  const ours = report.prefix.ours
  const pairing = file === ours ? '' : file === '' ? ` (the file's keys read under our '${ours}')` : ours === '' ? ` (the file's prefix '${file}' dropped)` : ` (the file's prefix '${file}' read as our '${ours}')`
  const converted = Object.entries(report.converted).map(([dtype, n]) => `${n} ${dtype}`)
  const lines = [`init from ${report.file} (${report.format}): loaded ${report.loaded.length} of our ${total} variables${pairing}${converted.length ? `; converted to float32: ${converted.join(', ')}` : ''}`]
  if (report.mismatched.length) lines.push(`  kept at init, shape differs (${report.mismatched.length}): ${report.mismatched.slice(0, maxNames).map((m) => `${m.name} file [${m.fileShape.join(', ')}] ours [${m.ourShape.join(', ')}]`).join('; ')}${report.mismatched.length > maxNames ? '; …' : ''}`)
  if (report.missing.length) lines.push(`  kept at init, not in the file (${report.missing.length}): ${names(report.missing)}`)
  if (report.skipped.length) lines.push(`  file keys not in the net, skipped (${report.skipped.length}): ${names(report.skipped)}`)
  return lines
}
