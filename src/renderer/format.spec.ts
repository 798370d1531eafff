import { describe, expect, it } from 'vitest'
import { formatCreated, formatDuration, formatLocalTime, millisBetween } from './format'

describe('formatDuration', () => {
  it('says a duration in the largest sensible units', () => {
    expect(formatDuration(850.4)).toBe('850 ms')
    expect(formatDuration(12_340)).toBe('12.3 s')
    expect(formatDuration(245_000)).toBe('4 min 05 s')
    expect(formatDuration(7_620_000)).toBe('2 h 07 min')
    expect(formatDuration(-1)).toBe('—')
    expect(formatDuration(Number.NaN)).toBe('—')
  })
})

describe('millisBetween and formatLocalTime', () => {
  it('measures between two stored times and shows them in local time, not as ISO strings', () => {
    expect(millisBetween('2026-01-02T10:00:00.000Z', '2026-01-02T10:01:30.500Z')).toBe(90_500)
    expect(millisBetween(null, '2026-01-02T10:00:00Z')).toBeUndefined()
    expect(millisBetween('2026-01-02T10:00:00Z', 'soon')).toBeUndefined()
    const iso = '2026-03-04T05:06:07.000Z'
    const local = new Date(iso)
    const pad = (n: number): string => String(n).padStart(2, '0')
    expect(formatLocalTime(iso)).toBe(`${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:07`)
    expect(formatLocalTime(iso)).not.toContain('T')
    expect(formatLocalTime(iso).startsWith(formatCreated(iso))).toBe(true)
    expect(formatLocalTime(null)).toBe('—')
  })
})
