/**
 * `--init-from FILE`: our checkpoint (the whole net, strictly), or a PyTorch state dict the user supplies as
 * safetensors or as torch.save's zip (.pth, .pt, .bin), told apart by the file's first bytes. A state dict is
 * mapped by name (load-state-dict.ts). Either way the run records what was loaded (InitFromReport). The file is
 * read before the net is built, so a bad file costs nothing; nothing is ever downloaded.
 */
import type { InitFromReport } from '../../../../shared/training'
import { loadCheckpointInto, readCheckpoint, type Checkpoint, type CheckpointableNet } from '../checkpoint'
import type { StateDictFile } from './file-tensor'
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
