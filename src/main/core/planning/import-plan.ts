import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../../../shared/errors'
import type { Plan } from '../../../shared/plan'
import type { Db } from '../store/database'
import { getPlan, insertPlan } from '../store/plans-repo'
import { readSparseAnnotations, writeSparseMasks } from './exchange'
import { requireDataset } from './plans'
import { planFolder } from '../workspace/folders'

/**
 * Imports sparse annotations (an nnU-Net ignore-label folder, or masks plus a slice list) as a plan of the
 * dataset, with its masks copied under workspace/plans/<id>/. One transaction: on any error nothing is
 * stored and the mask folder is removed.
 */
export function importPlan(db: Db, dir: string, datasetName: string, workspace: string): Plan {
  const dataset = requireDataset(db, datasetName)
  const read = readSparseAnnotations(dir, dataset)
  const subsetOf = new Map(dataset.volumeRecords.map((v) => [v.caseId, v.subset]))
  const heldOut = read.items.filter((i) => subsetOf.get(i.volume) !== 'train').map((i) => i.volume)
  if (heldOut.length > 0) {
    throw new InputError(dir, `annotates volumes outside the training split (${heldOut.slice(0, 5).join(', ')}); a plan trains on training volumes only`)
  }
  const trainCount = dataset.volumeRecords.filter((v) => v.subset === 'train').length
  const annotated = read.items.reduce((s, i) => s + i.slices.length, 0)
  const slicesInVolumes = read.items.reduce((s, i) => s + i.sliceCount, 0)
  let maskDir: string | undefined
  try {
    return db.transaction((): Plan => {
      const plan = insertPlan(db, {
        datasetId: dataset.id,
        dataset: dataset.name,
        // For imported annotations ρ is what was annotated: annotated slices over the slices of those volumes.
        density: annotated / slicesInVolumes,
        volumes: read.items.length / trainCount,
        method: 'imported',
        features: null,
        rule: null,
        scope: 'volume',
        subsetMode: 'nested',
        seed: 0,
        source: 'imported',
        request: null,
        totalSlices: annotated,
        perVolumeCountsDiffer: false,
        items: read.items.map(({ volumeId, volume, sliceAxis, sliceCount, slices }) => ({ volumeId, volume, sliceAxis, sliceCount, slices })),
      })
      maskDir = join(workspace, planFolder(plan.planId))
      rmSync(maskDir, { recursive: true, force: true })
      mkdirSync(maskDir, { recursive: true })
      const paths = writeSparseMasks(read.items, maskDir)
      const setMask = db.prepare('UPDATE plan_items SET mask_path = ? WHERE plan_id = ? AND volume_id = ?')
      read.items.forEach((item, i) => setMask.run(paths[i], plan.planId, item.volumeId))
      const stored = getPlan(db, plan.planId)
      if (!stored) throw new Error(`plan ${plan.planId} vanished while it was imported`)
      return stored
    })()
  } catch (err) {
    if (maskDir) rmSync(maskDir, { recursive: true, force: true })
    throw err
  }
}
