/**
 * Tensors as a weights file holds them (a PyTorch state dict saved as safetensors or as torch.save's zip), read
 * into float32 in the file's own (PyTorch) layout. Both readers share the element types and their decoding here;
 * load-state-dict.ts maps the tensors onto a net.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** The element types a state dict's weights come in; every one is converted to float32 on reading. */
export const fileDtypes = ['F32', 'F16', 'BF16', 'F64', 'I64'] as const
export type FileDtype = (typeof fileDtypes)[number]

/** Bytes per element of each type. */
export const dtypeBytes: Record<FileDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8 }

/** One tensor of a weights file: the file's dtype, its shape (PyTorch's layout) and its values as float32. */
export interface FileTensor {
  readonly dtype: FileDtype
  readonly shape: readonly number[]
  readonly values: Float32Array
}

/** The tensors of one weights file by key, in the file's order. */
export interface StateDictFile {
  readonly format: 'safetensors' | 'pytorch-zip'
  readonly tensors: ReadonlyMap<string, FileTensor>
}

/** Product of the sizes (1 for a scalar's empty shape). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/** IEEE half-precision bits to a number (subnormals, infinities and NaN included). */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}

/**
 * `count` little-endian elements of `dtype` starting at `bytes[0]`, as float32 (float64 and int64 are rounded to
 * the nearest float32; the caller has checked that the bytes are there).
 */
export function decodeElements(bytes: Uint8Array, dtype: FileDtype, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * dtypeBytes[dtype])
  const out = new Float32Array(count)
  switch (dtype) {
    case 'F32':
      // Typed arrays use the machine's byte order: on a little-endian machine the bytes are copied as they are.
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes.subarray(0, 4 * count))
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true)
      return out
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, true))
      return out
    case 'BF16': {
      // bfloat16 is the top half of a float32's bits.
      const bits = new Uint32Array(out.buffer)
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16
      return out
    }
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true)
      return out
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(8 * i, true))
      return out
  }
}

/**
 * The elements of a strided view (PyTorch's storage offset, sizes and strides, in elements) of `storage`, made
 * contiguous in row-major order (a view that already is contiguous shares the storage's memory). The caller has
 * checked that the view lies inside the storage.
 */
export function gatherStrided(storage: Float32Array, offset: number, shape: readonly number[], stride: readonly number[]): Float32Array {
  const count = elementCount(shape)
  // A contiguous view is a window on the storage (shared, never written to: it is copied into a tensor later).
  if (isRowMajor(shape, stride)) return storage.subarray(offset, offset + count)
  const out = new Float32Array(count)
  const rank = shape.length
  const index = new Array<number>(rank).fill(0)
  let at = offset
  for (let n = 0; n < count; n++) {
    out[n] = storage[at] as number
    // Odometer over the indices, last axis fastest.
    for (let axis = rank - 1; axis >= 0; axis--) {
      const i = (index[axis] as number) + 1
      if (i < (shape[axis] as number)) {
        index[axis] = i
        at += stride[axis] as number
        break
      }
      index[axis] = 0
      at -= (i - 1) * (stride[axis] as number)
    }
  }
  return out
}

/** True when the strides are those of a contiguous row-major tensor of `shape` (size-1 axes may have any stride). */
function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis] as number
    if (size !== 1 && stride[axis] !== expected) return false
    expected *= size
  }
  return true
}

/** The largest element index a strided view touches (offset when it is empty or a scalar). */
export function lastStridedIndex(offset: number, shape: readonly number[], stride: readonly number[]): number {
  return shape.reduce((at, size, axis) => at + (size > 0 ? (size - 1) * (stride[axis] as number) : 0), offset)
}
