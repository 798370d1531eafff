import { describe, expect, it } from 'vitest'
import { makeSenderCheck } from './sender'

describe('makeSenderCheck', () => {
  const indexUrl = 'app://workbench/index.html'

  it('accepts the built page, with or without hash and query', () => {
    const check = makeSenderCheck({ indexUrl })
    expect(check(indexUrl)).toBe(true)
    expect(check(`${indexUrl}#/datasets/sample`)).toBe(true)
    expect(check(`${indexUrl}?x=1`)).toBe(true)
  })

  it('refuses other files, other hosts, other schemes, remote pages and garbage', () => {
    const check = makeSenderCheck({ indexUrl })
    for (const url of [
      'app://workbench/other.html',
      'app://evil/index.html',
      'file:///opt/workbench/out/renderer/index.html',
      'file:///etc/passwd',
      'https://example.com/',
      'http://localhost:5173/',
      'about:blank',
      'data:text/html,hi',
      '',
      'not a url',
    ]) {
      expect(check(url), url).toBe(false)
    }
  })

  it('accepts the dev server origin only while it is set', () => {
    const check = makeSenderCheck({ indexUrl, devServerUrl: 'http://localhost:5173' })
    expect(check('http://localhost:5173/')).toBe(true)
    expect(check('http://localhost:5173/index.html#x')).toBe(true)
    expect(check('http://localhost:5174/')).toBe(false)
    expect(check('http://127.0.0.1:5173/')).toBe(false)
  })
})
