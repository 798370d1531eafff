import { describe, expect, it } from 'vitest'
import { buildImportRequest, describeImportProgress, explainImportFailure, isAbsolutePath, explainCancelledImport, suggestName } from './import-form'

describe('buildImportRequest', () => {
  it('builds trimmed options with the seed as a number (empty seed: 0)', () => {
    expect(buildImportRequest({ folder: ' /data/Task09 ', name: ' spleen ', seed: '42' })).toEqual({
      ok: true,
      options: { folder: '/data/Task09', name: 'spleen', seed: 42 },
    })
    expect(buildImportRequest({ folder: 'C:\\data\\x', name: 'x', seed: '' })).toEqual({ ok: true, options: { folder: 'C:\\data\\x', name: 'x', seed: 0 } })
  })

  it('names the first wrong field', () => {
    expect(buildImportRequest({ folder: '', name: 'x', seed: '' })).toMatchObject({ ok: false, field: 'folder' })
    expect(buildImportRequest({ folder: 'data/x', name: 'x', seed: '' })).toMatchObject({ ok: false, field: 'folder', message: expect.stringContaining('full path') })
    expect(buildImportRequest({ folder: '/d', name: '', seed: '' })).toEqual({ ok: false, field: 'name', message: 'Give the dataset a name.' })
    expect(buildImportRequest({ folder: '/d', name: 'has space', seed: '' })).toMatchObject({ ok: false, field: 'name', message: expect.stringContaining('letters, digits') })
    expect(buildImportRequest({ folder: '/d', name: '-x', seed: '' })).toMatchObject({ ok: false, field: 'name' })
    for (const seed of ['-1', '1.5', 'abc', '1e3', '99999999999999999999']) {
      expect(buildImportRequest({ folder: '/d', name: 'x', seed })).toMatchObject({ ok: false, field: 'seed' })
    }
  })
})

describe('isAbsolutePath', () => {
  it('knows POSIX and Windows absolute paths from relative ones', () => {
    expect(['/a', 'C:\\a', 'd:/a', '\\\\server\\share'].map(isAbsolutePath)).toEqual([true, true, true, true])
    expect(['a/b', './a', 'C:a', '~/a'].map(isAbsolutePath)).toEqual([false, false, false, false])
  })
})

describe('suggestName', () => {
  it('takes the last part of the path, cleaned, and avoids names in use', () => {
    expect(suggestName('/data/Task09_Spleen/', [])).toBe('Task09_Spleen')
    expect(suggestName('C:\\data\\my scans (2024)', [])).toBe('my-scans-2024-')
    expect(suggestName('/data/__x', [])).toBe('x')
    expect(suggestName('/', [])).toBe('dataset')
    expect(suggestName('/data/sample-data', ['sample-data', 'sample-data-2'])).toBe('sample-data-3')
  })
})

describe('explainImportFailure', () => {
  it('shows source: problem and a next step matched to the problem', () => {
    const taken = explainImportFailure({ message: 'x', source: 'sample', problem: 'a dataset with this name already exists; choose another --name' }, 'sample')
    expect(taken.what).toBe('sample: a dataset with this name already exists; choose another --name')
    expect(taken.next).toMatch(/another name/)
    const missing = explainImportFailure({ message: 'm', source: '/nope', problem: 'cannot read the folder: it does not exist' }, 'n')
    expect(missing).toEqual({ what: '/nope: cannot read the folder: it does not exist', next: 'Check the path: it must be a folder this computer can read.' })
    expect(explainImportFailure({ message: 'm', source: '/d', problem: 'is not a dataset folder: expected imagesTr/ …' }, 'n').next).toMatch(/imagesTr/)
    expect(explainImportFailure({ message: 'm', source: '/d', problem: '2 case(s) have no file in labelsTr: a, b' }, 'n').next).toMatch(/label file/)
    expect(explainImportFailure({ message: 'm', source: '/d/a.nii', problem: 'not a NIfTI file: the file is empty' }, 'n').next).toBe(
      'Fix or remove /d/a.nii, then import again; nothing was stored.',
    )
  })

  it('falls back to the message when the error names no source', () => {
    const plain = explainImportFailure({ message: 'cannot reach the workbench server' }, 'n')
    expect(plain.what).toBe('cannot reach the workbench server')
    expect(plain.next).toMatch(/Try again/)
  })
})

describe('the resampling spacing field', () => {
  it('takes one number for all axes or three, and adds it as preprocessing', () => {
    expect(buildImportRequest({ folder: '/d', name: 'x', seed: '', spacing: '0.5' })).toEqual({
      ok: true,
      options: { folder: '/d', name: 'x', seed: 0, preprocessing: { targetSpacing: [0.5, 0.5, 0.5] } },
    })
    expect(buildImportRequest({ folder: '/d', name: 'x', seed: '', spacing: ' 0.8, 0.8 ,2 ' })).toMatchObject({ options: { preprocessing: { targetSpacing: [0.8, 0.8, 2] } } })
    expect(buildImportRequest({ folder: '/d', name: 'x', seed: '', spacing: '  ' })).toEqual({ ok: true, options: { folder: '/d', name: 'x', seed: 0 } })
  })

  it('refuses anything else, naming the field', () => {
    for (const spacing of ['0', '-1', 'abc', '1,2', '1,2,3,4']) {
      expect(buildImportRequest({ folder: '/d', name: 'x', seed: '', spacing })).toMatchObject({ ok: false, field: 'spacing' })
    }
  })
})

describe('describeImportProgress', () => {
  it('says what a running import is doing', () => {
    expect(describeImportProgress(undefined)).toBe('Finding the volumes in the folder…')
    expect(describeImportProgress({ name: 'x', phase: 'started', done: 0, total: 0, caseId: null })).toBe('Finding the volumes in the folder…')
    expect(describeImportProgress({ name: 'x', phase: 'reading', done: 3, total: 20, caseId: 'hippocampus_017' })).toBe('3 of 20 volumes — hippocampus_017')
  })
})

describe('explainCancelledImport', () => {
  it('tells a cancel of this import from other failures, in plain words', () => {
    const problem = 'the import was cancelled after 2 of 20 volumes; nothing was stored'
    expect(explainCancelledImport({ message: `x: ${problem}`, source: 'x', problem }, 'x')).toBe('Import of x cancelled after 2 of 20 volumes; nothing was stored.')
    expect(explainCancelledImport({ message: `y: ${problem}`, source: 'y', problem }, 'x')).toBeUndefined()
    expect(explainCancelledImport({ message: 'x: a dataset with this name already exists', source: 'x', problem: 'a dataset with this name already exists' }, 'x')).toBeUndefined()
  })
})
