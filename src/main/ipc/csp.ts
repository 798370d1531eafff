// The Content-Security-Policy of the renderer, defined once: the main process sends it as a header for the
// dev server's pages, the browser-mode server for index.html, and the build writes it into index.html's
// <meta> (electron.vite.config.ts), which is what file:// pages get.

const directives = [
  "default-src 'self'",
  "script-src 'self'",
  // Vue's dev server injects <style> tags; built CSS is a file.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
]

/** The renderer's CSP: nothing from outside the app, no eval, no plugins, no framing. */
export const rendererCsp = directives.join('; ')

/** The same policy for a <meta> tag, which browsers ignore frame-ancestors in (and warn about). */
export const rendererCspMeta = directives.filter((d) => !d.startsWith('frame-ancestors')).join('; ')
