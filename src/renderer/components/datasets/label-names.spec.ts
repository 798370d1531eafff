import { describe, expect, it } from 'vitest'
import type { VolumeRecord } from '../../../shared/dataset'
import { datasetLabels, labelLine, labelNameMap } from './label-names'

const volume = (labelVoxels: Record<string, number>): VolumeRecord => ({
  id: 1, caseId: 'a', imagePath: '/a.nii.gz', labelPath: '/la.nii.gz', dims: [4, 4, 4], spacing: [1, 1, 1], sliceAxis: 2,
  imageDtype: 'float32', labelVoxels, foregroundSlices: 1, subset: 'train',
})

describe('datasetLabels', () => {
  it('names the values dataset.json names (background left out)', () => {
    const labels = datasetLabels({ labels: { '0': 'background', '1': 'Anterior', '2': 'Posterior' }, volumeRecords: [volume({ '0': 50, '1': 10 })] })
    expect(labelLine(labels)).toBe('1 Anterior, 2 Posterior')
  })

  it('says "unnamed" for values without a name, and without any dataset.json', () => {
    const partly = datasetLabels({ labels: { '1': 'tumour' }, volumeRecords: [volume({ '0': 9, '1': 3, '3': 1 })] })
    expect(labelLine(partly)).toBe('1 tumour, 3 unnamed')
    expect(labelNameMap(partly)).toEqual({ '1': 'tumour', '3': '3 (unnamed)' })
    expect(labelLine(datasetLabels({ labels: {}, volumeRecords: [volume({ '0': 9, '2': 3 })] }))).toBe('2 unnamed')
    expect(labelLine(datasetLabels({ labels: {}, volumeRecords: [volume({ '0': 9 })] }))).toBe('none')
  })
})
