import { describe, expect, it } from 'vitest'
import { rendererCsp, rendererCspMeta, rendererDevCsp, rendererDevCspMeta } from './csp'

describe('renderer CSP', () => {
  it("allows no inline styles or scripts in production, and nothing from outside the app", () => {
    expect(rendererCsp).not.toContain('unsafe-inline')
    expect(rendererCsp).not.toContain('unsafe-eval')
    expect(rendererCsp).toContain("style-src 'self';")
    expect(rendererCsp).toContain("connect-src 'self';")
    expect(rendererCsp).toContain("frame-ancestors 'none'")
  })

  it('keeps inline styles for the dev server only', () => {
    expect(rendererDevCsp).toContain("style-src 'self' 'unsafe-inline'")
    expect(rendererDevCspMeta).toContain("'unsafe-inline'")
  })

  it('leaves frame-ancestors out of the <meta> policies, where browsers ignore it', () => {
    expect(rendererCspMeta).not.toContain('frame-ancestors')
    expect(rendererDevCspMeta).not.toContain('frame-ancestors')
  })
})
