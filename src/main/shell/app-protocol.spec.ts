import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appIndexUrl, makeAppProtocolHandler, rawAppPath } from './app-protocol'

/** A renderer folder with a page and a script, and a secret beside it that must stay out of reach. */
function rendererFixture(): { root: string; secret: string } {
  const base = mkdtempSync(join(tmpdir(), 'app-protocol-'))
  const root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>wb</title>')
  writeFileSync(join(root, 'assets', 'index.js'), 'console.log(1)')
  const secret = join(base, 'secret.txt')
  writeFileSync(secret, 'do not serve')
  symlinkSync(secret, join(root, 'assets', 'link.txt'))
  return { root, secret }
}

describe('app:// protocol handler', () => {
  const { root } = rendererFixture()
  const handle = makeAppProtocolHandler({ root, csp: "default-src 'self'" })
  const get = (url: string, method = 'GET'): Promise<Response> => handle(new Request(url, { method }))

  it('serves the page with its CSP, and scripts with their type', async () => {
    const page = await get(appIndexUrl)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'")
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('<title>wb</title>')
    const script = await get('app://workbench/assets/index.js?v=1#x')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('content-security-policy')).toBeNull()
    expect((await get('app://workbench/')).status).toBe(200)
  })

  it('refuses every way out of the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets%2f..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets/%00.js', '/%E0%A4%A']) {
      // The URL parser folds a plain '/../' before the handler sees it (so: not found); encoded forms reach the
      // path check (so: bad request). Either way nothing outside the folder is served.
      const response = await get(`app://workbench${path}`)
      expect([400, 404], path).toContain(response.status)
      expect(await response.text(), path).not.toContain('do not serve')
    }
    const link = await get('app://workbench/assets/link.txt')
    expect(link.status).toBe(400)
    expect(await link.text()).not.toContain('do not serve')
  })

  it('refuses other hosts and schemes, writes, and files that are not there', async () => {
    expect((await get('app://elsewhere/index.html')).status).toBe(403)
    expect((await get('app://workbench.evil/index.html')).status).toBe(403)
    expect((await get('https://workbench/index.html')).status).toBe(403)
    expect((await get(appIndexUrl, 'POST')).status).toBe(405)
    expect((await get('app://workbench/assets/missing.js')).status).toBe(404)
  })

  it('answers HEAD without a body', async () => {
    const head = await get(appIndexUrl, 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})

describe('rawAppPath', () => {
  it('keeps the path as written, so traversal is seen before any normalisation', () => {
    expect(rawAppPath('app://workbench/a/../b?x#y')).toBe('/a/../b')
    expect(rawAppPath('app://workbench')).toBe('/')
    expect(rawAppPath('app://workbenchx/a')).toBeUndefined()
    expect(rawAppPath('file:///etc/passwd')).toBeUndefined()
  })
})
