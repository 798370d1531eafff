// The Content-Security-Policy of the renderer, defined once: the app:// handler sends it with the built page,
// the browser-mode server with index.html, the main process as a header for the dev server's pages, and the
// build writes it into index.html's <meta> (electron.vite.config.ts).

/** Directives shared by the production and development policies. */
function directives(dev: boolean): string[] {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Built CSS is a file, and Vue sets dynamic styles through the CSSOM, which style-src does not govern; only
    // Vite's dev server injects <style> tags, so only the development policy allows inline styles.
    dev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // The dev server's hot reload talks over a WebSocket to its own host.
    dev ? "connect-src 'self' ws: http://localhost:* http://127.0.0.1:*" : "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ]
}

/** A policy for a <meta> tag, which browsers ignore frame-ancestors in (and warn about). */
function forMeta(list: string[]): string {
  return list.filter((d) => !d.startsWith('frame-ancestors')).join('; ')
}

/** The renderer's production CSP: nothing from outside the app, no inline styles or scripts, no eval, no framing. */
export const rendererCsp = directives(false).join('; ')

/** The production policy for the built index.html's <meta>. */
export const rendererCspMeta = forMeta(directives(false))

/** The development policy (electron-vite dev): as production, plus the dev server's inline styles and socket. */
export const rendererDevCsp = directives(true).join('; ')

/** The development policy for the dev server's index.html <meta>. */
export const rendererDevCspMeta = forMeta(directives(true))
