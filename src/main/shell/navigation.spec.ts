import { describe, expect, it } from 'vitest'
import { decideNavigation, isWebLink } from './navigation'

const isOwnPage = (url: string): boolean => url.startsWith('app://workbench/index.html')

describe('decideNavigation', () => {
  it('lets the main frame move within the app and sends web links to the system browser', () => {
    expect(decideNavigation({ url: 'app://workbench/index.html#/train', isMainFrame: true }, isOwnPage)).toBe('allow')
    expect(decideNavigation({ url: 'https://example.org/paper', isMainFrame: true }, isOwnPage)).toBe('open-externally')
  })

  it('refuses other schemes in the main frame and every subframe navigation, even to the app itself', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://workbench/other.html', 'not a url']) {
      expect(decideNavigation({ url, isMainFrame: true }, isOwnPage), url).toBe('refuse')
    }
    for (const url of ['app://workbench/index.html', 'https://example.org/', 'about:blank']) {
      expect(decideNavigation({ url, isMainFrame: false }, isOwnPage), url).toBe('refuse')
    }
  })

  it('treats only http(s) as web links', () => {
    expect(isWebLink('http://x.org')).toBe(true)
    expect(isWebLink('mailto:a@b.c')).toBe(false)
    expect(isWebLink('')).toBe(false)
  })
})
