// Serving the built renderer: content types, no escape from the renderer folder, SPA fallback.
import { realpath, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

/** The Content-Type of a file, by its extension. */
export function contentTypeOf(file: string): string {
  return contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** What a static request resolves to. */
export type StaticTarget =
  | { kind: 'file'; path: string; size: number }
  | { kind: 'bad-path' }
  | { kind: 'not-found' }

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep)
}

/**
 * Maps a URL pathname (still percent-encoded) to a file under `root`, refusing anything that leaves it —
 * `..`, encoded slashes or backslashes, NUL bytes, symbolic links pointing outside. Paths without a file
 * extension that match nothing get index.html, so client-side routes survive a reload.
 */
export async function resolveStatic(root: string, encodedPath: string): Promise<StaticTarget> {
  let decoded: string
  try {
    decoded = decodeURIComponent(encodedPath)
  } catch {
    return { kind: 'bad-path' }
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-path' }
  const segments = decoded.split('/')
  if (segments.some((s) => s === '..')) return { kind: 'bad-path' }
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '')
  const candidate = resolve(root, relative)
  if (!isInside(root, candidate)) return { kind: 'bad-path' }

  const found = await regularFileInside(root, candidate)
  if (found) return found
  const last = segments[segments.length - 1] ?? ''
  if (extname(last) === '') {
    const index = await regularFileInside(root, resolve(root, 'index.html'))
    if (index) return index
  }
  return { kind: 'not-found' }
}

async function regularFileInside(root: string, path: string): Promise<StaticTarget | undefined> {
  try {
    const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)])
    if (!isInside(realRoot, realPath)) return { kind: 'bad-path' }
    const info = await stat(realPath)
    return info.isFile() ? { kind: 'file', path: realPath, size: info.size } : undefined
  } catch {
    return undefined
  }
}
