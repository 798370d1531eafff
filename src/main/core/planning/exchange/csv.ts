/** Minimal RFC 4180 CSV: quoting for writing, and a parser that handles quoted fields (commas, quotes, newlines). */

/** A field as CSV writes it: quoted when it holds a comma, a quote, a line break or surrounding spaces. */
export function csvField(value: string | number): string {
  const text = String(value)
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One CSV line (no line break). */
export function csvRow(values: readonly (string | number)[]): string {
  return values.map(csvField).join(',')
}

/** A parsed row with its 1-based line number in the file (where the row starts). */
export interface CsvRow {
  line: number
  fields: string[]
}

/**
 * Parses CSV text into rows. Blank lines are skipped; a UTF-8 BOM is dropped; CRLF and LF both end rows.
 * When a quoted field is never closed, returns the line it opened on instead.
 */
export function parseCsv(text: string): { rows: CsvRow[] } | { unclosedQuoteAt: number } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const rows: CsvRow[] = []
  let fields: string[] = []
  let field = ''
  let line = 1
  let rowLine = 1
  let quoted = false
  let quoteStart = 0
  let sawAny = false
  const endRow = (): void => {
    fields.push(field)
    if (sawAny || fields.length > 1 || field.trim() !== '') rows.push({ line: rowLine, fields })
    fields = []
    field = ''
    sawAny = false
  }
  for (let p = 0; p < src.length; p++) {
    const c = src[p] as string
    if (quoted) {
      if (c === '"') {
        if (src[p + 1] === '"') {
          field += '"'
          p++
        } else quoted = false
      } else {
        if (c === '\n') line++
        field += c
      }
      continue
    }
    if (c === '"' && field.trim() === '') {
      quoted = true
      quoteStart = line
      field = ''
      sawAny = true
    } else if (c === ',') {
      fields.push(field)
      field = ''
      sawAny = true
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[p + 1] === '\n') p++
      endRow()
      line++
      rowLine = line
    } else field += c
  }
  if (quoted) return { unclosedQuoteAt: quoteStart }
  if (field !== '' || fields.length > 0 || sawAny) endRow()
  return { rows }
}
