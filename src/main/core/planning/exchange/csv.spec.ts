import { describe, expect, it } from 'vitest'
import { csvField, csvRow, parseCsv } from './csv'

describe('csv', () => {
  it('quotes only fields that need it and parses them back', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField(3)).toBe('3')
    const fields = ['a,b', 'say "hi"', 'two\nlines', ' padded', 'x']
    const text = `${csvRow(fields)}\r\n${csvRow(['1', '2'])}\n`
    const parsed = parseCsv(`\ufeff${text}`)
    expect(parsed).toEqual({ rows: [{ line: 1, fields }, { line: 3, fields: ['1', '2'] }] })
  })

  it('skips blank lines, keeps empty fields and reports an unclosed quote', () => {
    expect(parseCsv('a,\n\n,b')).toEqual({ rows: [{ line: 1, fields: ['a', ''] }, { line: 3, fields: ['', 'b'] }] })
    expect(parseCsv('a\n"b,c\nd')).toEqual({ unclosedQuoteAt: 2 })
  })
})
