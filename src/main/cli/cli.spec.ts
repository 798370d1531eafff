import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeEach, describe, expect, it } from 'vitest'
import { DatasetDetailSchema, DatasetSummarySchema } from '../../shared/dataset'
import { VolumeHeaderSchema } from '../../shared/volume'
import { repoRoot, sampleDataDir } from '../test-support/shared-data'
import { writeSyntheticDataset } from '../test-support/volumes'
import { cliRunner } from '../test-support/cli-harness'

const run = promisify(execFile)

let root: string
let common: string[]
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-cli-'))
  common = ['--db', join(root, 'w.db'), '--workspace', join(root, 'ws')]
})

const cli = cliRunner(() => common)

describe('workbench CLI (in process)', () => {
  it('registers the sample on first use and lists it', async () => {
    const { code, out } = await cli('datasets', '--json')
    expect(code).toBe(0)
    const list = DatasetSummarySchema.array().parse(JSON.parse(out))
    expect(list.map((d) => [d.name, d.volumes])).toEqual([['sample', 20]])
  })

  it('does not register the sample with --no-sample', async () => {
    const { out } = await cli('--no-sample', 'datasets', '--json')
    expect(JSON.parse(out)).toEqual([])
  })

  it('imports a folder and reports it with info, as JSON and as text', async () => {
    const folder = writeSyntheticDataset(join(root, 'ds'), 8)
    const imported = await cli('import', folder, '--name', 'toy', '--seed', '4', '--json')
    expect(imported.code).toBe(0)
    expect(DatasetSummarySchema.parse(JSON.parse(imported.out))).toMatchObject({ name: 'toy', volumes: 8, splitSeed: 4 })

    const info = await cli('info', 'toy', '--json')
    const detail = DatasetDetailSchema.parse(JSON.parse(info.out))
    expect(detail).toMatchObject({ name: 'toy', volumes: 8 })
    expect(detail.split.train + detail.split.val + detail.split.test).toBe(8)
    expect(detail.volumeRecords[0]).toMatchObject({ dims: [12, 10, 8], spacing: [1, 1, 1], foregroundSlices: expect.any(Number) })

    const text = await cli('info', 'toy')
    expect(text.out).toMatch(/toy: 8 volumes \(train \d+, val \d+, test \d+; split seed 4\)/)
    expect(text.out).toMatch(/case_000/)
  })

  it('describes a NIfTI file', async () => {
    const file = join(sampleDataDir, 'images', 'hippocampus_001.nii.gz')
    const { code, out } = await cli('info', file, '--json')
    expect(code).toBe(0)
    const facts = JSON.parse(out) as Record<string, unknown>
    expect(VolumeHeaderSchema.parse(facts)).toMatchObject({ dims: [35, 51, 35], spacing: [1, 1, 1], storedDtype: 'uint8', sliceAxis: 2 })
    expect(facts).toMatchObject({ slices: 35, min: expect.any(Number), max: expect.any(Number) })
  })

  it('exits 1 with the file and the problem on stderr for bad input', async () => {
    const bad = join(root, 'bad.nii.gz')
    writeFileSync(bad, 'not a volume')
    const file = await cli('info', bad)
    expect(file.code).toBe(1)
    expect(file.err).toMatch(/bad\.nii\.gz: .*NIfTI/)

    const missing = await cli('import', join(root, 'nowhere'), '--name', 'x')
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/nowhere: cannot read the folder/)

    const dup = await cli('import', sampleDataDir, '--name', 'sample')
    expect(dup.code).toBe(1)
    expect(dup.err).toMatch(/sample: a dataset with this name already exists/)

    const unknown = await cli('info', 'no-such-dataset')
    expect(unknown.code).toBe(1)
    expect(unknown.err).toMatch(/no-such-dataset: no dataset has this name/)
  })

  it('exits 2 on a usage error', async () => {
    expect((await cli('import', 'x')).code).toBe(2) // --name missing
    expect((await cli('import', 'x', '--name', 'y', '--seed', '-3')).code).toBe(2)
    expect((await cli('frobnicate')).code).toBe(2)
  })

  it('says what is wrong with a usage error in one line with a --help hint, never silently nor with the whole help', async () => {
    const cases: [string[], RegExp][] = [
      [['runs', 'show', 'abc'], /^workbench: a run id is a positive integer, got "abc"; see `workbench runs show --help`$/],
      [['runs', 'show', '0'], /^workbench: a run id is a positive integer, got "0"; see `workbench runs show --help`$/],
      [['sweep', 'status', 'abc'], /^workbench: the sweep id is a positive integer, got "abc"; see `workbench sweep status --help`$/],
      [['sweep', 'run', '0'], /^workbench: the sweep id is a positive integer, got "0"; see `workbench sweep run --help`$/],
      [['--json', 'sweep', 'run', '1', '--workers', 'x'], /^workbench: option '--workers <n>' argument 'x' is invalid\. --workers is a positive integer, got "x"; see `workbench sweep run --help`$/],
      [['import', 'x'], /^workbench: required option '--name <name>' not specified; see `workbench import --help`$/],
      [['frobnicate'], /^workbench: unknown command 'frobnicate'; see `workbench --help`$/],
      [['sweep', 'create', '--dataset', 'sample'], /^workbench: sweep create takes one of --preset or --grid; see `workbench sweep create --help`$/],
    ]
    for (const [args, message] of cases) {
      const r = await cli(...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.out, args.join(' ')).toBe('')
      expect(r.err.trimEnd(), args.join(' ')).toMatch(message)
    }
  })
})

describe('workbench CLI (as a process, through the npm bin)', () => {
  it('runs `npx workbench`, prints JSON on stdout and errors on stderr with exit codes', async () => {
    const bin = join(repoRoot, 'src/main/cli/bin.mjs')
    const ok = await run(process.execPath, [bin, ...common, 'datasets', '--json'])
    expect(JSON.parse(ok.stdout)).toHaveLength(1)
    const failed = await run(process.execPath, [bin, ...common, 'info', join(root, 'missing.nii.gz')]).catch((e: { code: number; stderr: string }) => e)
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/missing\.nii\.gz: no such file/) })
  })
})
