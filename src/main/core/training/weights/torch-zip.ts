/**
 * A state dict saved by torch.save (PyTorch ≥ 1.6: a zip of stored members `<dir>/data.pkl`, `<dir>/data/<key>`
 * per storage, `<dir>/byteorder`, …), read without Python. The pickle is interpreted as data (pickle.ts); every
 * tensor becomes a contiguous float32 array in PyTorch's layout, views (storage offsets, strides, storages shared
 * by several tensors) included. Nested dicts are flattened with dotted keys (`{'state_dict': {…}}` gives
 * `state_dict.…`; load-state-dict.ts's prefix pairing strips it); values that are not tensors are left out.
 */
import { InputError } from '../../../../shared/errors'
import { shown } from '../../../../shared/init-from'
import { decodeElements, dtypeBytes, elementCount, gatherStrided, lastStridedIndex, type FileTensor, type StateDictFile } from './file-tensor'
import { readStateDictPickle } from './pickle'
import { PyDict, PyTensor, type PyValue } from './pickle-values'
import { readStoredZip } from './zip-stored'

/** Every tensor in `root` under its dotted key path, in the pickle's order (each dict visited once). */
function flattenTensors(root: PyValue, source: string): Map<string, PyTensor> {
  if (!(root instanceof PyDict)) throw new InputError(source, 'holds no state dict (its pickle is not a dict of tensors)')
  const out = new Map<string, PyTensor>()
  const seen = new Set<PyDict>()
  const walk = (dict: PyDict, prefix: string): void => {
    if (seen.has(dict)) return
    seen.add(dict)
    for (const [key, value] of dict.entries) {
      if (value instanceof PyTensor) out.set(prefix + key, value)
      else if (value instanceof PyDict) walk(value, `${prefix}${key}.`)
    }
  }
  walk(root, '')
  return out
}

/** Parses a torch.save zip's bytes into its tensors; `source` (the file's path) names it in every problem. */
export function parseTorchZip(bytes: Uint8Array, source: string): StateDictFile {
  const entries = readStoredZip(bytes, source)
  const pickleEntry = [...entries.values()].find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'))
  if (!pickleEntry) throw new InputError(source, 'is a zip archive without data.pkl: not a file torch.save wrote')
  const dir = pickleEntry.name.slice(0, pickleEntry.name.length - 'data.pkl'.length)
  const byteorder = entries.get(`${dir}byteorder`)
  if (byteorder) {
    const order = new TextDecoder().decode(bytes.subarray(byteorder.offset, byteorder.offset + byteorder.size)).trim()
    if (order !== 'little') throw new InputError(source, `was saved with ${shown(order)}-endian storages; only little-endian ones are read`)
  }
  const root = readStateDictPickle(bytes.subarray(pickleEntry.offset, pickleEntry.offset + pickleEntry.size), source)
  const views = flattenTensors(root, source)
  if (views.size === 0) throw new InputError(source, 'holds no tensors')

  // Each storage decoded once, however many tensors view it.
  const storages = new Map<string, Float32Array>()
  const tensors = new Map<string, FileTensor>()
  for (const [key, view] of views) {
    const { storage } = view
    let values = storages.get(storage.key)
    if (!values) {
      const record = entries.get(`${dir}data/${storage.key}`)
      if (!record) throw new InputError(source, `tensor '${shown(key)}' refers to storage '${storage.key}', which the archive lacks`)
      const needed = storage.numel * dtypeBytes[storage.dtype]
      if (record.size < needed) throw new InputError(source, `storage '${storage.key}' has ${record.size} bytes, its ${storage.numel} ${storage.dtype} elements need ${needed} (truncated?)`)
      values = decodeElements(bytes.subarray(record.offset, record.offset + needed), storage.dtype, storage.numel)
      storages.set(storage.key, values)
    }
    const count = elementCount(view.shape)
    // A state dict's tensors never repeat elements (an expanded view would); the bound also keeps a corrupt shape
    // from allocating more than the file holds.
    if (count > storage.numel) throw new InputError(source, `tensor '${shown(key)}' has ${count} elements, more than its storage's ${storage.numel} (an expanded view, or a corrupt shape)`)
    if (count > 0 && lastStridedIndex(view.offset, view.shape, view.stride) >= storage.numel) {
      throw new InputError(source, `tensor '${shown(key)}' (offset ${view.offset}, shape [${view.shape.join(', ')}], strides [${view.stride.join(', ')}]) reaches past its storage of ${storage.numel} elements`)
    }
    tensors.set(key, { dtype: storage.dtype, shape: view.shape, values: gatherStrided(values, view.offset, view.shape, view.stride) })
  }
  return { format: 'pytorch-zip', tensors }
}
