import { existsSync } from 'node:fs'

/** The two files of a .hdr/.img pair (NIfTI-1/2 pair or Analyze 7.5): header and voxels. */
export interface PairPaths {
  header: string
  image: string
}

const pairName = /^(.*)\.(hdr|img)(\.gz)?$/i

/** True for a name a pair's file has: .hdr or .img, optionally gzipped (.hdr.gz with .img.gz, as nibabel writes). */
export function isPairName(path: string): boolean {
  return pairName.test(path)
}

/** 'img' in the case of `like` ('HDR' → 'IMG', 'Hdr' → 'Img'), and the other way round. */
function partnerExtension(like: string): string {
  const other = like.toLowerCase() === 'hdr' ? 'img' : 'hdr'
  return Array.from(other, (c, n) => ((like[n] as string) === (like[n] as string).toUpperCase() ? c.toUpperCase() : c)).join('')
}

/**
 * Both files of the pair `path` belongs to (named by either), or undefined for another name. The partner has the
 * same stem and the same compression; its extension's case follows the given one's, else any case that exists.
 * When no partner exists the expected name is returned, so reading it says which file is missing.
 */
export function pairPaths(path: string): PairPaths | undefined {
  const match = pairName.exec(path)
  if (!match) return undefined
  const [, stem, ext, gz = ''] = match as unknown as [string, string, string, string | undefined]
  const preferred = partnerExtension(ext)
  const candidates = [preferred, preferred.toLowerCase(), preferred.toUpperCase()].map((e) => `${stem}.${e}${gz}`)
  const partner = candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string)
  return ext.toLowerCase() === 'hdr' ? { header: path, image: partner } : { header: partner, image: path }
}
