// The app:// scheme that serves the built renderer in place of file://. With a scheme of its own the CSP's
// 'self' means the app's files only (under file:// it would mean every local file). The path checks are the
// browser-mode server's (server/static-files.ts: no '..', no encoded separators or NUL, no symlink leading
// out of out/renderer), so both doors refuse the same requests; this module adds the scheme and host check.
import { readFile } from 'node:fs/promises'
import { contentTypeOf, resolveStatic } from '../server/static-files'

/** The scheme and host of the app's own pages: app://workbench/index.html. */
export const appScheme = 'app'
export const appHost = 'workbench'

/** The URL the window loads. */
export const appIndexUrl = `${appScheme}://${appHost}/index.html`

/** The privileges app:// is registered with (before `ready`): a standard, secure origin that fetch and workers may use. */
export const appSchemePrivileges = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true, codeCache: true } as const

/**
 * The still-encoded path of an app://workbench URL, or undefined for any other scheme or host. Taken from the
 * raw string rather than URL.pathname, which would already have folded "/../" away and hidden the attempt.
 */
export function rawAppPath(rawUrl: string): string | undefined {
  const prefix = `${appScheme}://${appHost}`
  if (!rawUrl.toLowerCase().startsWith(prefix)) return undefined
  const rest = rawUrl.slice(prefix.length)
  if (rest !== '' && !rest.startsWith('/') && !rest.startsWith('?') && !rest.startsWith('#')) return undefined
  const path = rest.split(/[?#]/, 1)[0] ?? ''
  return path === '' ? '/' : path
}

/** Options of makeAppProtocolHandler. */
export interface AppProtocolOptions {
  /** Absolute path of out/renderer. */
  root: string
  /** The CSP sent with HTML pages (with frame-ancestors, which a <meta> cannot carry). */
  csp: string
}

/** The protocol.handle callback for app://: serves files of `root`, with the CSP on HTML; refusals are plain text. */
export function makeAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const refuse = (status: number, text: string): Response =>
    new Response(`${text}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } })
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Only GET and HEAD.')
    const path = rawAppPath(request.url)
    if (path === undefined) return refuse(403, `Only ${appScheme}://${appHost}/ is served.`)
    const target = await resolveStatic(options.root, path)
    if (target.kind === 'bad-path') return refuse(400, 'Bad request: that path is not allowed.')
    if (target.kind === 'not-found') return refuse(404, 'Not found.')
    const type = contentTypeOf(target.path)
    const headers: Record<string, string> = { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' }
    if (type.startsWith('text/html')) headers['Content-Security-Policy'] = options.csp
    const body = request.method === 'HEAD' ? null : await readFile(target.path)
    return new Response(body, { status: 200, headers })
  }
}
