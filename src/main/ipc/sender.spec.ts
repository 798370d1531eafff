import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { makeSenderCheck } from './sender'

describe('makeSenderCheck', () => {
  const indexFile = '/opt/workbench/out/renderer/index.html'
  const own = pathToFileURL(indexFile).href

  it('accepts the built page, with or without hash and query', () => {
    const check = makeSenderCheck({ indexFile })
    expect(check(own)).toBe(true)
    expect(check(`${own}#/datasets/sample`)).toBe(true)
    expect(check(`${own}?x=1`)).toBe(true)
  })

  it('refuses other files, other schemes, remote pages and garbage', () => {
    const check = makeSenderCheck({ indexFile })
    for (const url of [
      'file:///opt/workbench/out/renderer/other.html',
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
    const check = makeSenderCheck({ indexFile, devServerUrl: 'http://localhost:5173' })
    expect(check('http://localhost:5173/')).toBe(true)
    expect(check('http://localhost:5173/index.html#x')).toBe(true)
    expect(check('http://localhost:5174/')).toBe(false)
    expect(check('http://127.0.0.1:5173/')).toBe(false)
  })
})
