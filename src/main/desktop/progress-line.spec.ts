import { describe, expect, it } from 'vitest'
import { startProgressLine } from './progress-line'

describe('startProgressLine', () => {
  it('writes one line to a log: the label, then the result on the same line', () => {
    let text = ''
    let now = 0
    const line = startProgressLine('fetching x', { isTTY: false, write: (t: string) => (text += t) }, () => now)
    now = 2400
    line.done('failed')
    line.done('again')
    expect(text).toBe('fetching x… failed (2 s)\n')
  })

  it('rewrites the line in place on a terminal', () => {
    let text = ''
    const line = startProgressLine('fetching x', { isTTY: true, write: (t: string) => (text += t) }, () => 0)
    line.done('done')
    expect(text).toBe('fetching x… 0 s\rfetching x… done (0 s)\n')
    expect(text.split('\n')).toHaveLength(2)
  })
})
