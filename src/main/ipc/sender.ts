// Which pages may call the API over IPC: only the app's own renderer, never a page it navigated to.

/** Where the app's own page lives: app://workbench/index.html in a built app, or the electron-vite dev server. */
export interface RendererLocation {
  /** The URL of the built page (shell/app-protocol.ts: appIndexUrl). */
  indexUrl: string
  /** ELECTRON_RENDERER_URL while `electron-vite dev` runs; undefined in a built app. */
  devServerUrl?: string
}

/** Returns a predicate that is true when a frame URL is the app's own page. */
export function makeSenderCheck(location: RendererLocation): (frameUrl: string) => boolean {
  const index = documentOf(location.indexUrl)
  const devOrigin = location.devServerUrl ? safeOrigin(location.devServerUrl) : undefined
  return (frameUrl) => {
    const doc = documentOf(frameUrl)
    if (doc === undefined) return false
    // Compare the document itself; the hash and query may change while the page is open.
    if (index !== undefined && doc === index) return true
    return devOrigin !== undefined && devOrigin !== 'null' && safeOrigin(frameUrl) === devOrigin
  }
}

/** scheme://host/path of a URL without query and hash (custom schemes have an opaque origin, so compare this). */
function documentOf(href: string): string | undefined {
  try {
    const url = new URL(href)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return undefined
  }
}

function safeOrigin(href: string): string | undefined {
  try {
    return new URL(href).origin
  } catch {
    return undefined
  }
}
