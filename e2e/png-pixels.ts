// Reads the pixels of the PNG screenshots Playwright takes (8-bit RGB or RGBA, not interlaced), so a test
// can check what a WebGL canvas drew: its drawing buffer cannot be read back from the page after compositing.
import { inflateSync } from 'node:zlib'

/** An image as RGBA bytes, row by row from the top. */
export interface Pixels {
  width: number
  height: number
  rgba: Uint8Array
}

/** Decodes a PNG of 8-bit RGB or RGBA; throws on any other kind. */
export function decodePng(png: Buffer): Pixels {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG')
  let offset = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('latin1', offset + 4, offset + 8)
    const data = png.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]]
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`)
      channels = colour === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const rows = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (rows[y * stride + x - channels] as number) : 0
      const b = y > 0 ? (rows[(y - 1) * stride + x] as number) : 0
      const c = x >= channels && y > 0 ? (rows[(y - 1) * stride + x - channels] as number) : 0
      const value = line[x] as number
      let predicted = 0
      if (filter === 1) predicted = a
      else if (filter === 2) predicted = b
      else if (filter === 3) predicted = (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      }
      rows[y * stride + x] = (value + predicted) & 0xff
    }
  }
  const rgba = new Uint8Array(width * height * 4)
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = rows[p * channels] as number
    rgba[p * 4 + 1] = rows[p * channels + 1] as number
    rgba[p * 4 + 2] = rows[p * channels + 2] as number
    rgba[p * 4 + 3] = channels === 4 ? (rows[p * channels + 3] as number) : 255
  }
  return { width, height, rgba }
}

/** How many pixels satisfy a test of their red, green and blue. */
export function countPixels(image: Pixels, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0
  for (let p = 0; p < image.width * image.height; p++) {
    if (test(image.rgba[p * 4] as number, image.rgba[p * 4 + 1] as number, image.rgba[p * 4 + 2] as number)) n++
  }
  return n
}

/** The columns [from, to) of an image, as an image of their own. */
export function cropColumns(pixels: Pixels, from: number, to: number): Pixels {
  const width = to - from
  const rgba = new Uint8Array(width * pixels.height * 4)
  for (let y = 0; y < pixels.height; y++) rgba.set(pixels.rgba.subarray((y * pixels.width + from) * 4, (y * pixels.width + to) * 4), y * width * 4)
  return { width, height: pixels.height, rgba }
}
