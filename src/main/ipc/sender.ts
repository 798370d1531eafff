// Which pages may call the API over IPC: only the app's own renderer, never a page it navigated to.
import { pathToFileURL } from 'node:url'

/** Where the app's own page lives: the built index.html, or the electron-vite dev server in development. */
export interface RendererLocation {
  /** Absolute path of out/renderer/index.html. */
  indexFile: string
  /** ELECTRON_RENDERER_URL while `electron-vite dev` runs; undefined in a built app. */
  devServerUrl?: string
}

/** Returns a predicate that is true when a frame URL is the app's own page. */
export function makeSenderCheck(location: RendererLocation): (frameUrl: string) => boolean {
  const indexHref = pathToFileURL(location.indexFile).href
  const devOrigin = location.devServerUrl ? safeOrigin(location.devServerUrl) : undefined
  return (frameUrl) => {
    let url: URL
    try {
      url = new URL(frameUrl)
    } catch {
      return false
    }
    if (url.protocol === 'file:') {
      // Compare the document itself; the hash and query may change while the page is open.
      return `${url.protocol}//${url.host}${url.pathname}` === indexHref
    }
    return devOrigin !== undefined && devOrigin !== 'null' && url.origin === devOrigin
  }
}

function safeOrigin(href: string): string | undefined {
  try {
    return new URL(href).origin
  } catch {
    return undefined
  }
}
