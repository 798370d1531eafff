/**
 * The subset of Python's pickle that torch.save writes for a state dict, interpreted as data and never executed:
 * dicts (OrderedDict), lists, tuples, numbers, strings, bytes, None/True/False, memo references, the persistent
 * storage references ('storage', torch.FloatStorage, key, location, numel) and tensors rebuilt by
 * torch._utils._rebuild_tensor_v2 / _rebuild_parameter. A GLOBAL outside that short allow-list (os.system,
 * builtins.eval, …) or an opcode outside the subset is refused when it is read, so nothing a file names is ever
 * called. Every problem is an InputError naming the file.
 */
import { InputError } from '../../../../shared/errors'
import { shown } from '../../../../shared/init-from'
import { allowedGlobals, persistentStorage, PyDict, PyGlobal, PyTuple, reduce, typeName, type PyValue } from './pickle-values'

const MARK = Symbol('mark')
type StackItem = PyValue | typeof MARK

/** Most objects a pickle may build: a bound on memory for a hostile file (a large state dict has thousands). */
const MAX_OBJECTS = 5_000_000

/** Interprets a state dict's pickle (`data.pkl`); `source` names the file in every problem. */
export function readStateDictPickle(bytes: Uint8Array, source: string): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const fail = (problem: string): never => {
    throw new InputError(source, `pickle ${problem}`)
  }
  let at = 0
  const need = (n: number): number => {
    if (at + n > bytes.length) fail(`is truncated (an opcode at byte ${at} needs ${n} more bytes, ${bytes.length - at} remain)`)
    const start = at
    at += n
    return start
  }
  const u8 = (): number => bytes[need(1)] as number
  const u16 = (): number => view.getUint16(need(2), true)
  const u32 = (): number => view.getUint32(need(4), true)
  const utf8 = (n: number): string => {
    const start = need(n)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, start + n))
    } catch {
      return fail(`has a string at byte ${start} that is not valid UTF-8`)
    }
  }
  const latin1 = (n: number): string => new TextDecoder('latin1').decode(bytes.subarray(need(n), at))
  const line = (): string => {
    const end = bytes.indexOf(0x0a, at)
    if (end < 0) fail(`is truncated (a GLOBAL at byte ${at} has no end of line)`)
    return latin1(end - at + 1).slice(0, -1)
  }

  const stack: StackItem[] = []
  const memo = new Map<number, PyValue>()
  let objects = 0
  const push = (v: StackItem): void => {
    if (++objects > MAX_OBJECTS) fail(`builds more than ${MAX_OBJECTS} objects`)
    stack.push(v)
  }
  const pop = (): PyValue => {
    const v = stack.pop()
    if (v === undefined) return fail(`pops an empty stack at byte ${at}`)
    if (v === MARK) return fail(`pops a mark as a value at byte ${at}`)
    return v
  }
  const top = (): PyValue => {
    const v = stack[stack.length - 1]
    if (v === undefined || v === MARK) return fail(`needs a value on the stack at byte ${at}`)
    return v
  }
  const popMark = (): PyValue[] => {
    const m = stack.lastIndexOf(MARK)
    if (m < 0) fail(`has no mark to pop to at byte ${at}`)
    const items = stack.splice(m) as PyValue[]
    items.shift()
    return items
  }
  const memoGet = (i: number): PyValue => {
    const v = memo.get(i)
    if (v === undefined) fail(`reads memo entry ${i}, which was never set`)
    return v as PyValue
  }
  const setItems = (dict: PyValue, items: PyValue[]): void => {
    if (!(dict instanceof PyDict)) fail(`sets items on a ${typeName(dict)} (only dicts take items)`)
    if (items.length % 2 !== 0) fail('has a SETITEMS with an odd number of values')
    for (let i = 0; i < items.length; i += 2) (dict as PyDict).entries.set(keyText(items[i] as PyValue), items[i + 1] as PyValue)
  }
  const append = (list: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(list)) fail(`appends to a ${typeName(list)} (only lists take appends)`)
    ;(list as PyValue[]).push(...items)
  }
  const global = (module: string, name: string): PyGlobal => {
    if (!allowedGlobals.has(`${module}.${name}`)) {
      if (module === 'torch' && name.endsWith('Storage')) fail(`holds a storage of type torch.${shown(name)}; only float32, float16, bfloat16, float64 and int64 storages are read`)
      fail(`refers to '${shown(`${module}.${name}`)}', which a state dict does not use; refused without running anything (only tensors, storages of float32/float16/bfloat16/float64/int64 and OrderedDict are read)`)
    }
    return new PyGlobal(module, name)
  }

  for (;;) {
    const opAt = at
    const op = u8()
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('uses a protocol newer than 5')
        break
      case 0x95: // FRAME (a length hint)
        need(8)
        break
      case 0x2e: // STOP
        return pop()
      case 0x28: // MARK
        stack.push(MARK)
        break
      case 0x30: // POP
        stack.pop()
        break
      case 0x31: // POP_MARK
        popMark()
        break
      case 0x32: // DUP
        push(top())
        break
      case 0x7d: // EMPTY_DICT
        push(new PyDict())
        break
      case 0x5d: // EMPTY_LIST
        push([])
        break
      case 0x29: // EMPTY_TUPLE
        push(new PyTuple([]))
        break
      case 0x74: // TUPLE
        push(new PyTuple(popMark()))
        break
      case 0x85: // TUPLE1
        push(new PyTuple([pop()]))
        break
      case 0x86: {
        // TUPLE2
        const b = pop()
        push(new PyTuple([pop(), b]))
        break
      }
      case 0x87: {
        // TUPLE3
        const c = pop()
        const b = pop()
        push(new PyTuple([pop(), b, c]))
        break
      }
      case 0x6c: // LIST
        push(popMark())
        break
      case 0x64: {
        // DICT
        const d = new PyDict()
        setItems(d, popMark())
        push(d)
        break
      }
      case 0x61: {
        // APPEND
        const v = pop()
        append(top(), [v])
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        append(top(), items)
        break
      }
      case 0x73: {
        // SETITEM
        const v = pop()
        const k = pop()
        setItems(top(), [k, v])
        break
      }
      case 0x75: {
        // SETITEMS
        const items = popMark()
        setItems(top(), items)
        break
      }
      case 0x4a: // BININT
        push(view.getInt32(need(4), true))
        break
      case 0x4b: // BININT1
        push(u8())
        break
      case 0x4d: // BININT2
        push(u16())
        break
      case 0x8a: // LONG1
        push(longValue(bytes.subarray(need(u8()), at)))
        break
      case 0x8b: {
        // LONG4
        const n = u32()
        if (n > 64) fail(`has an integer of ${n} bytes at byte ${opAt}`)
        push(longValue(bytes.subarray(need(n), at)))
        break
      }
      case 0x4e: // NONE
        push(null)
        break
      case 0x88: // NEWTRUE
        push(true)
        break
      case 0x89: // NEWFALSE
        push(false)
        break
      case 0x47: // BINFLOAT (big-endian double)
        push(view.getFloat64(need(8), false))
        break
      case 0x58: // BINUNICODE
        push(utf8(u32()))
        break
      case 0x8c: // SHORT_BINUNICODE
        push(utf8(u8()))
        break
      case 0x8d: {
        // BINUNICODE8
        const n = Number(view.getBigUint64(need(8), true))
        push(utf8(n))
        break
      }
      case 0x54: // BINSTRING (Python 2 str)
        push(latin1(u32()))
        break
      case 0x55: // SHORT_BINSTRING
        push(latin1(u8()))
        break
      case 0x42: {
        // BINBYTES
        const n = u32()
        push(bytes.slice(need(n), at))
        break
      }
      case 0x43: {
        // SHORT_BINBYTES
        const n = u8()
        push(bytes.slice(need(n), at))
        break
      }
      case 0x71: // BINPUT
        memo.set(u8(), top())
        break
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top())
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, top())
        break
      case 0x68: // BINGET
        push(memoGet(u8()))
        break
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()))
        break
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line()
        push(global(module, line()))
        break
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop()
        const module = pop()
        if (typeof module !== 'string' || typeof name !== 'string') fail(`has a STACK_GLOBAL without two strings at byte ${opAt}`)
        push(global(module as string, name as string))
        break
      }
      case 0x52: {
        // REDUCE
        const args = pop()
        const callable = pop()
        push(reduce(callable, args, fail))
        break
      }
      case 0x62: {
        // BUILD: attributes set on an OrderedDict (a state dict's _metadata) are not needed
        pop()
        const target = top()
        if (!(target instanceof PyDict)) fail(`sets state on a ${typeName(target)} at byte ${opAt}`)
        break
      }
      case 0x51: // BINPERSID
        push(persistentStorage(pop(), fail))
        break
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opAt} is not one torch.save writes for a state dict; refused`)
    }
  }
}

/** A little-endian two's-complement integer (LONG1/LONG4) as a number when it fits, else a bigint. */
function longValue(b: Uint8Array): number | bigint {
  let v = 0n
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number)
  if (b.length > 0 && ((b[b.length - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length)
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
}


/** A dict key as text: state dicts use strings; an optimiser's integer keys read as their digits. */
function keyText(k: PyValue): string {
  if (typeof k === 'string') return k
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || k === null) return String(k)
  return `<${typeName(k)}>`
}

