/**
 * An `--init-from` report in words, one definition for the CLI's print and the History view's run facts; and how a
 * name read from a file is shown in a one-line message (the weights readers' errors use it too).
 */
import type { InitFromReport } from './training'

/** Longest text from a file quoted in a message (a corrupt name can be any length). */
const MAX_SHOWN = 120

/** A name or text read from a file, safe in a one-line message: control characters escaped, long text cut. */
export function shown(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return escaped.length > MAX_SHOWN ? `${escaped.slice(0, MAX_SHOWN)}…` : escaped
}

/** One part of the report: what it is about, and the line that says it. */
export interface InitFromLine {
  readonly key: 'init from' | 'shape differs' | 'not in the file' | 'skipped'
  readonly text: string
}

/**
 * The report as lines: the file, its format, how many of our variables it gave and the prefix pairing; then (when
 * any) the variables kept at init for another shape or for lack of a tensor, and the file keys skipped, each list
 * cut after `maxNames` names.
 */
export function describeInitFrom(report: InitFromReport, maxNames = 8): InitFromLine[] {
  const names = (list: readonly string[]): string => {
    const listed = list.slice(0, maxNames).map(shown).join(', ')
    return list.length <= maxNames ? listed : `${listed}, … (${list.length - maxNames} more)`
  }
  const total = report.loaded.length + report.missing.length + report.mismatched.length
  const file = shown(report.prefix.file)
  const ours = report.prefix.ours
  const pairing = file === ours ? '' : file === '' ? ` (the file's keys read under our '${ours}')` : ours === '' ? ` (the file's prefix '${file}' dropped)` : ` (the file's prefix '${file}' read as our '${ours}')`
  const converted = Object.entries(report.converted).map(([dtype, n]) => `${n} ${dtype}`)
  const lines: InitFromLine[] = [
    { key: 'init from', text: `${report.file} (${report.format}): loaded ${report.loaded.length} of our ${total} variables${pairing}${converted.length ? `; converted to float32: ${converted.join(', ')}` : ''}` },
  ]
  const m = report.mismatched
  if (m.length) {
    const each = m.slice(0, maxNames).map((x) => `${x.name} file [${x.fileShape.join(', ')}] ours [${x.ourShape.join(', ')}]`)
    lines.push({ key: 'shape differs', text: `kept at init, shape differs (${m.length}): ${each.join('; ')}${m.length > maxNames ? '; …' : ''}` })
  }
  if (report.missing.length) lines.push({ key: 'not in the file', text: `kept at init, not in the file (${report.missing.length}): ${names(report.missing)}` })
  if (report.skipped.length) lines.push({ key: 'skipped', text: `file keys not in the net, skipped (${report.skipped.length}): ${names(report.skipped)}` })
  return lines
}
