import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { InputError } from '../../../shared/errors'
import { describeVolumeFile, type VolumeFileFacts } from '../../core/datasets/file-facts'
import { getDataset } from '../../core/store/datasets-repo'
import { globalOptions, withWorkbench } from './context'
import { indexArg } from './parsers'
import { printJson, printTable, type CliIo } from '../output'

const fmt = (xs: readonly number[]): string => xs.map((x) => (Number.isInteger(x) ? x : x.toFixed(3))).join('×')

/** The file-format words of `info`: "NIfTI-1", "NIfTI-2 .hdr/.img pair", "Analyze 7.5 .hdr/.img pair". */
function formatName(facts: VolumeFileFacts): string {
  const name = facts.format === 'analyze' ? 'Analyze 7.5' : `NIfTI-${facts.niftiVersion}`
  return facts.pair ? `${name} .hdr/.img pair` : name
}

/** The lines `info` prints about one volume file. */
export function describeFileLines(facts: VolumeFileFacts): string[] {
  const frames = facts.frames ?? 1
  const channels = facts.channels ?? 1
  const stored = facts.storedDtype === 'rgb24' ? 'rgb24, read as luminance 0.299 R + 0.587 G + 0.114 B' : facts.storedDtype
  const lines = [
    facts.file,
    `  dims ${fmt(facts.dims)}, spacing ${fmt(facts.spacing)} mm, ${stored} (${facts.littleEndian ? 'little' : 'big'}-endian, ${formatName(facts)})`,
    `  frames ${frames}${channels > 1 ? `, channels ${channels}` : ''}; read frame ${facts.frame ?? 0}${channels > 1 ? `, channel ${facts.channel ?? 0}` : ''}`,
    facts.affineSource === 'analyze'
      ? `  affine from the Analyze voxel sizes (x flipped, centred, as nibabel reads it); slice axis ${facts.sliceAxis} (${facts.slices} slices)`
      : `  affine from ${facts.affineSource}; slice axis ${facts.sliceAxis} (${facts.slices} slices)`,
    `  ${facts.format === 'analyze' ? 'no scaling (Analyze)' : `scl_slope ${facts.sclSlope}, scl_inter ${facts.sclInter}`}; values ${facts.min} … ${facts.max}`,
  ]
  return lines
}

/** `workbench info <dataset-name | file.nii(.gz) | file.hdr/.img(.gz)> [--frame N] [--channel N]` */
export function registerInfoCommand(program: Command, io: CliIo): void {
  program
    .command('info')
    .description('facts about a dataset (volumes, split, per-volume shape and labels) or a volume file (its header, frame count and format)')
    .argument('<target>', 'a dataset name, a .nii / .nii.gz file, or a .hdr / .img pair (NIfTI or Analyze 7.5)')
    .option('--frame <n>', 'for a 4D+ file: the frame whose values are described (default 0)', indexArg('--frame'))
    .option('--channel <n>', 'for a multi-channel file: the channel whose values are described (default 0)', indexArg('--channel'))
    .action(async (target: string, options: { frame?: number; channel?: number }, command: Command) => {
      const looksLikeFile = /\.(nii|hdr|img)(\.gz)?$/i.test(target) || target.includes('/')
      if (looksLikeFile) {
        if (!existsSync(target)) throw new InputError(target, 'no such file')
        const facts = describeVolumeFile(target, { frame: options.frame, channel: options.channel })
        if (globalOptions(command).json) return printJson(io, facts)
        for (const line of describeFileLines(facts)) io.out(line)
        return
      }
      await withWorkbench(command, (ctx, global) => {
        const dataset = getDataset(ctx.db, target)
        if (!dataset) throw new InputError(target, 'no dataset has this name, and it is not a .nii/.nii.gz file')
        if (global.json) return printJson(io, dataset)
        const s = dataset.split
        io.out(`${dataset.name}: ${dataset.volumes} volumes (train ${s.train}, val ${s.val}, test ${s.test}; split seed ${dataset.splitSeed})`)
        io.out(`  from ${dataset.sourceDir} (${dataset.layout} layout)`)
        printTable(
          io,
          ['case', 'subset', 'dims', 'spacing', 'fg slices', 'label voxels'],
          dataset.volumeRecords.map((v) => [
            v.caseId,
            v.subset,
            fmt(v.dims),
            fmt(v.spacing),
            v.foregroundSlices,
            Object.entries(v.labelVoxels)
              .map(([k, n]) => `${k}:${n}`)
              .join(' '),
          ]),
        )
      })
    })
}
