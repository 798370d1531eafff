import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { InputError } from '../../../shared/errors'
import { describeVolumeFile } from '../../core/datasets/file-facts'
import { getDataset } from '../../core/store/datasets-repo'
import { globalOptions, withWorkbench } from './context'
import { printJson, printTable, type CliIo } from '../output'

const fmt = (xs: readonly number[]): string => xs.map((x) => (Number.isInteger(x) ? x : x.toFixed(3))).join('×')

/** `workbench info <dataset-name | file.nii(.gz)>` */
export function registerInfoCommand(program: Command, io: CliIo): void {
  program
    .command('info')
    .description('facts about a dataset (volumes, split, per-volume shape and labels) or a NIfTI file (its header)')
    .argument('<target>', 'a dataset name or a .nii / .nii.gz file')
    .action(async (target: string, _options: unknown, command: Command) => {
      const looksLikeFile = /\.nii(\.gz)?$/i.test(target) || target.includes('/')
      if (looksLikeFile) {
        if (!existsSync(target)) throw new InputError(target, 'no such file')
        const facts = describeVolumeFile(target)
        if (globalOptions(command).json) return printJson(io, facts)
        io.out(`${facts.file}`)
        io.out(`  dims ${fmt(facts.dims)}, spacing ${fmt(facts.spacing)} mm, ${facts.storedDtype} (${facts.littleEndian ? 'little' : 'big'}-endian, NIfTI-${facts.niftiVersion})`)
        io.out(`  affine from ${facts.affineSource}; slice axis ${facts.sliceAxis} (${facts.slices} slices)`)
        io.out(`  scl_slope ${facts.sclSlope}, scl_inter ${facts.sclInter}; values ${facts.min} … ${facts.max}`)
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
