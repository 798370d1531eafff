/**
 * What the state-dict pickle reader (pickle.ts) builds: Python's containers as plain classes, the allow-listed
 * globals, storage references and tensor views, and the two allowed "calls" (OrderedDict(), the tensor rebuilders)
 * done as data. Nothing here imports or runs anything a file names.
 */
import { shown } from '../../../../shared/init-from'
import type { FileDtype } from './file-tensor'

/** A Python tuple (kept apart from lists: argument tuples and shapes are tuples). */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A dict or OrderedDict; keys are strings for a state dict (other keys are kept by their text). */
export class PyDict {
  readonly entries = new Map<string, PyValue>()
}

/** A name the pickle imported, from the allow-list. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

/** A persistent reference to one storage record of the archive (`data/<key>`), `numel` elements of `dtype`. */
export class PyStorage {
  constructor(
    readonly dtype: FileDtype,
    readonly key: string,
    readonly numel: number,
  ) {}
}

/** A tensor view of a storage: element offset, sizes and strides (in elements). */
export class PyTensor {
  constructor(
    readonly storage: PyStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | PyStorage | PyTensor

/** torch's storage classes by the dtype of their elements. */
export const storageDtypes: Record<string, FileDtype> = { FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64', LongStorage: 'I64' }

/** The globals a state dict's pickle may name; nothing else is even looked up. */
export const allowedGlobals = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', ...Object.keys(storageDtypes).map((s) => `torch.${s}`)])

const isCount = (v: PyValue): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** A tuple of non-negative integers (a shape or a stride), or null. */
function counts(v: PyValue): number[] | null {
  if (!(v instanceof PyTuple) || !v.items.every(isCount)) return null
  return v.items as number[]
}

/** Python's name of a value's type, for messages. */
export function typeName(v: PyValue): string {
  if (v === null) return 'None'
  if (Array.isArray(v)) return 'list'
  if (v instanceof Uint8Array) return 'bytes'
  if (typeof v === 'object') return v.constructor.name
  return typeof v
}

/** Applies one of the allowed callables to its argument tuple (building data, calling nothing). */
export function reduce(callable: PyValue, args: PyValue, fail: (problem: string) => never): PyValue {
  if (!(callable instanceof PyGlobal) || !(args instanceof PyTuple)) return fail(`has a REDUCE of a ${typeName(callable)} on a ${typeName(args)}`)
  const name = `${callable.module}.${callable.name}`
  const a = args.items
  switch (name) {
    case 'collections.OrderedDict':
      if (a.length !== 0) fail('builds an OrderedDict from arguments (a state dict builds it empty)')
      return new PyDict()
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, shape, stride] = a
      const sizes = counts(shape ?? null)
      const strides = counts(stride ?? null)
      if (a.length < 6 || !(storage instanceof PyStorage) || !isCount(offset ?? null) || !sizes || !strides || sizes.length !== strides.length) {
        return fail('rebuilds a tensor from arguments other than (storage, offset, sizes, strides, requires_grad, hooks)')
      }
      return new PyTensor(storage, offset as number, sizes, strides)
    }
    case 'torch._utils._rebuild_parameter':
      if (!(a[0] instanceof PyTensor)) return fail('rebuilds a parameter from something other than a tensor')
      return a[0]
    default:
      return fail(`calls '${shown(name)}', which is not a callable`)
  }
}

/** The storage a persistent id ('storage', torch.XStorage, key, location, numel) refers to. */
export function persistentStorage(pid: PyValue, fail: (problem: string) => never): PyStorage {
  const items = pid instanceof PyTuple ? pid.items : []
  const [tag, type, key, , numel] = items
  if (items.length !== 5 || tag !== 'storage' || !(type instanceof PyGlobal) || typeof key !== 'string' || !isCount(numel ?? null)) {
    return fail("has a persistent id that is not ('storage', type, key, location, numel)")
  }
  const dtype = storageDtypes[type.name]
  if (type.module !== 'torch' || !dtype) return fail(`refers to a storage of type ${shown(`${type.module}.${type.name}`)}`)
  if (!/^[A-Za-z0-9_]+$/.test(key)) fail(`refers to a storage with the key '${shown(key)}' (torch.save writes plain names)`)
  return new PyStorage(dtype, key, numel as number)
}
