import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { z } from 'zod'
import type { DatasetSummary } from '../../../shared/dataset'
import { InputError } from '../../../shared/errors'
import { pairPaths } from '../volume'

/** An image file and its label file, matched by name. */
export interface DiscoveredPair {
  caseId: string
  imagePath: string
  labelPath: string
}

/** What a dataset folder holds, before any file is read. */
export interface DiscoveredDataset {
  folder: string
  layout: DatasetSummary['layout']
  pairs: DiscoveredPair[]
  description: string
  labels: Record<string, string>
}

/** The two folder layouts the workbench imports. */
const layouts = [
  { layout: 'msd', images: 'imagesTr', labels: 'labelsTr' },
  { layout: 'paired', images: 'images', labels: 'labels' },
] as const

/** An image file: .nii / .nii.gz, or a pair's .hdr / .hdr.gz (its .img, the other half, is found by the reader). */
const imageName = /^(.+?)\.(nii|hdr)(\.gz)?$/i
/** A pair's voxel file, listed through its .hdr. */
const pairVoxelName = /^(.+?)\.img(\.gz)?$/i

// The parts of a Decathlon dataset.json the workbench uses; everything else is ignored.
const DatasetJsonSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  modality: z.record(z.string(), z.string()).optional(),
  channel_names: z.record(z.string(), z.string()).optional(),
})

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : code === 'ENOTDIR' ? 'is not a folder' : (err as Error).message
    throw new InputError(dir, `cannot read the folder: it ${why}`)
  }
}

/**
 * Case id → path of the image files in a folder: .nii / .nii.gz, or the .hdr of a .hdr/.img pair (NIfTI or
 * Analyze 7.5), whose .img must be beside it. Hidden files (macOS "._x.nii.gz" forks) are skipped.
 * A trailing nnU-Net channel suffix "_0000" is dropped so imagesTr/case_0000 pairs with labelsTr/case.
 */
function niftiFiles(dir: string, stripChannel: boolean): Map<string, string> {
  const files = new Map<string, string>()
  const entries = listDir(dir).sort()
  const present = new Set(entries)
  for (const entry of entries) {
    if (entry.startsWith('.')) continue
    const pairVoxels = pairVoxelName.exec(entry)
    if (pairVoxels) {
      const header = pairPaths(join(dir, entry))?.header as string
      if (!present.has(basename(header))) throw new InputError(join(dir, entry), `is the voxel half of a .hdr/.img pair, but ${basename(header)} is not beside it`)
      continue
    }
    const match = imageName.exec(entry)
    if (!match?.[1]) continue
    if (match[2]?.toLowerCase() === 'hdr') {
      const voxels = pairPaths(join(dir, entry))?.image as string
      if (!present.has(basename(voxels))) throw new InputError(join(dir, entry), `is the header of a .hdr/.img pair, but ${basename(voxels)} is not beside it`)
    }
    let caseId = match[1]
    if (stripChannel) {
      const channel = /^(.+)_(\d{4})$/.exec(caseId)
      if (channel?.[1] && channel[2] !== undefined) {
        if (channel[2] !== '0000') {
          throw new InputError(join(dir, entry), 'multi-channel cases (files ending in _0001 and beyond) are not supported yet; import one channel')
        }
        caseId = channel[1]
      }
    }
    const path = join(dir, entry)
    if (files.has(caseId)) throw new InputError(path, `two files in ${dir} name the same case "${caseId}"`)
    files.set(caseId, path)
  }
  return files
}

function readDatasetJson(folder: string): z.infer<typeof DatasetJsonSchema> {
  const path = join(folder, 'dataset.json')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return {}
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InputError(path, `is not valid JSON: ${(err as Error).message}`)
  }
  const parsed = DatasetJsonSchema.safeParse(json)
  if (!parsed.success) throw new InputError(path, `has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}

function describeUnmatched(ids: string[], where: string): string {
  const shown = ids.slice(0, 5).join(', ')
  return `${ids.length} case(s) have no file in ${where}: ${shown}${ids.length > 5 ? ', …' : ''}`
}

/**
 * Finds the layout of a dataset folder (Decathlon imagesTr/ + labelsTr/, or images/ + labels/), pairs
 * images with labels by file name, and reads the optional dataset.json. Every image needs a label and
 * every label an image; anything else is an error naming the cases.
 */
export function discoverDataset(folderArg: string): DiscoveredDataset {
  const folder = resolve(folderArg)
  const entries = new Set(listDir(folder))
  const found = layouts.find((l) => entries.has(l.images) && entries.has(l.labels))
  if (!found) {
    throw new InputError(
      folder,
      'is not a dataset folder: expected imagesTr/ and labelsTr/ (Medical Segmentation Decathlon) or images/ and labels/',
    )
  }
  const imageDir = join(folder, found.images)
  const labelDir = join(folder, found.labels)
  for (const dir of [imageDir, labelDir]) {
    if (!statSync(dir).isDirectory()) throw new InputError(dir, 'is not a folder')
  }
  const images = niftiFiles(imageDir, true)
  const labels = niftiFiles(labelDir, false)
  const noLabel = [...images.keys()].filter((id) => !labels.has(id))
  const noImage = [...labels.keys()].filter((id) => !images.has(id))
  if (noLabel.length > 0) throw new InputError(folder, describeUnmatched(noLabel, found.labels))
  if (noImage.length > 0) throw new InputError(folder, describeUnmatched(noImage, found.images))
  if (images.size === 0) throw new InputError(folder, `holds no .nii, .nii.gz or .hdr/.img files in ${found.images}/`)

  const meta = readDatasetJson(folder)
  const labelNames: Record<string, string> = {}
  // Decathlon v1 writes {"0": "background"}; nnU-Net v2 writes {"background": 0}.
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    if (typeof value === 'number') labelNames[String(value)] = key
    else labelNames[key] = value
  }
  return {
    folder,
    layout: found.layout,
    pairs: [...images.entries()].map(([caseId, imagePath]) => ({ caseId, imagePath, labelPath: labels.get(caseId) as string })),
    description: meta.description ?? meta.name ?? '',
    labels: labelNames,
  }
}
