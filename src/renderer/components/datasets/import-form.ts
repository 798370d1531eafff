// The import form's logic, apart from the component so it is tested in plain Node: turning the typed fields
// into import options, proposing a name from the folder, describing a running import's progress, and explaining
// a failed or cancelled import with what to do next.
import { ImportOptionsSchema, type ImportOptions, type ImportProgress } from '../../../shared/dataset'

/** The form's fields as typed. */
export interface ImportFields {
  folder: string
  name: string
  /** The split seed as typed; empty means the default, 0. */
  seed: string
  /** Resample every pair to this spacing in mm, as typed ("1" or "0.8, 0.8, 2"); empty or absent keeps the files as they are. */
  spacing?: string
}

export type ImportFieldName = keyof ImportFields

/** Options ready for `datasets:import`, or the first field that is wrong and why. */
export type ImportRequest = { ok: true; options: ImportOptions } | { ok: false; field: ImportFieldName; message: string }

/** True for an absolute path on POSIX (/data/x) or Windows (C:\data\x, \\server\share). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')
}

/**
 * Checks the fields and builds the import options. The folder must be absolute: the core resolves a relative
 * path against the server's working folder, which the person at the browser cannot see.
 */
export function buildImportRequest(fields: ImportFields): ImportRequest {
  const folder = fields.folder.trim()
  if (!folder) return { ok: false, field: 'folder', message: 'Choose the dataset folder to import.' }
  if (!isAbsolutePath(folder)) {
    return { ok: false, field: 'folder', message: `Give the folder's full path (starting with / or a drive letter), not "${folder}".` }
  }
  const name = fields.name.trim()
  const seedText = fields.seed.trim()
  let seed = 0
  if (seedText !== '') {
    if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(Number(seedText))) {
      return { ok: false, field: 'seed', message: 'The seed is a whole number, 0 or more.' }
    }
    seed = Number(seedText)
  }
  const spacing = parseSpacing(fields.spacing ?? '')
  if (spacing === 'invalid') return { ok: false, field: 'spacing', message: 'The spacing is one number of mm, or three separated by commas (e.g. 1 or 0.8, 0.8, 2).' }
  const options: ImportOptions = spacing ? { folder, name, seed, preprocessing: { targetSpacing: spacing } } : { folder, name, seed }
  const parsed = ImportOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const fieldOf: Record<string, ImportFieldName> = { name: 'name', seed: 'seed', preprocessing: 'spacing' }
    const field = fieldOf[String(issue?.path[0])] ?? 'folder'
    if (field === 'name' && name === '') return { ok: false, field, message: 'Give the dataset a name.' }
    return { ok: false, field, message: issue?.message ?? 'invalid' }
  }
  return { ok: true, options }
}

/** A spacing as typed: undefined when empty, one number for all three axes, or three; 'invalid' otherwise. */
function parseSpacing(text: string): [number, number, number] | undefined | 'invalid' {
  const parts = text.trim() === '' ? [] : text.trim().split(/\s*[,×x\s]\s*/)
  if (parts.length === 0) return undefined
  const values = parts.map(Number)
  if (!values.every((v) => Number.isFinite(v) && v > 0) || (values.length !== 1 && values.length !== 3)) return 'invalid'
  const [a = 0, b = a, c = a] = values
  return [a, b, c]
}

/** The line under a running import's progress bar: "n of N volumes — caseId", or what it is doing before that. */
export function describeImportProgress(progress: ImportProgress | undefined): string {
  if (!progress || progress.total === 0) return 'Finding the volumes in the folder…'
  const counted = `${progress.done} of ${progress.total} volumes`
  return progress.caseId ? `${counted} — ${progress.caseId}` : counted
}

/** A failed import that the person cancelled, in plain words ("Import of x cancelled after 2 of 20 volumes; …"); undefined for any other failure. */
export function explainCancelledImport(failure: ImportFailure, name: string): string | undefined {
  const match = failure.source === name ? /^the import was (cancelled.*)$/.exec(failure.problem ?? '') : null
  return match ? `Import of ${name} ${match[1]}.` : undefined
}

/** A dataset name proposed from a folder path: its last part, cleaned to the allowed characters, made unique. */
export function suggestName(folder: string, taken: readonly string[]): string {
  const last = folder.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? ''
  const cleaned = last
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 90)
  const base = cleaned || 'dataset'
  const used = new Set(taken)
  if (!used.has(base)) return base
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`
    if (!used.has(candidate)) return candidate
  }
}

/** What a failed import looked like to the client (ApiCallError's fields). */
export interface ImportFailure {
  message: string
  source?: string | undefined
  problem?: string | undefined
}

/** A failed import in plain words: what went wrong (source: problem) and what to do about it. */
export function explainImportFailure(failure: ImportFailure, name: string): { what: string; next: string } {
  const what = failure.source && failure.problem ? `${failure.source}: ${failure.problem}` : failure.message
  const problem = failure.problem ?? failure.message
  let next: string
  if (failure.source === name && /already exists/.test(problem)) next = 'Choose another name, or use the dataset already stored.'
  else if (failure.source === name || failure.source === 'import option name') next = 'Choose a name of letters, digits, ".", "_" and "-".'
  else if (/cannot read the folder|does not exist|is not a folder/.test(problem)) next = 'Check the path: it must be a folder this computer can read.'
  else if (/is not a dataset folder|holds no \.nii/.test(problem)) {
    next = 'Choose the folder that holds imagesTr/ and labelsTr/ (or images/ and labels/) with the NIfTI files.'
  } else if (/have no file in/.test(problem)) next = 'Give every image a label file of the same name (and the other way round), then import again.'
  else if (failure.source) next = `Fix or remove ${failure.source}, then import again; nothing was stored.`
  else next = 'Try again; if it fails again, the workbench log (terminal) says more.'
  return { what, next }
}
