// Who may talk to the browser-mode server: requests that name our own loopback address in Host (against DNS
// rebinding) and carry the session token (header, query on the page load, or the cookie that load sets).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Hosts the server may bind to; anything else would expose the store to the network. */
export const loopbackHosts = ['127.0.0.1', 'localhost', '::1', '[::1]'] as const

/** True when `host` names the loopback interface. */
export function isLoopbackHost(host: string): boolean {
  return (loopbackHosts as readonly string[]).includes(host)
}

/** The Host header values a page served by us can send: 127.0.0.1:PORT, localhost:PORT, [::1]:PORT. */
export function allowedHostHeaders(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
}

/** Name of the cookie that carries the token; cookies ignore ports, so two servers must not share one name. */
export function tokenCookieName(port: number): string {
  return `workbench_token_${port}`
}

/** Compares two tokens in time independent of where they differ (and of their lengths). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}

/** Reads one cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        return undefined
      }
    }
  }
  return undefined
}

/** How a request proved it holds the token, or undefined when it did not. */
export type TokenSource = 'header' | 'query' | 'cookie'

/** Checks the token of a request against the server's; returns where a valid one was found. */
export function findValidToken(req: IncomingMessage, url: URL, expected: string, port: number): TokenSource | undefined {
  const header = req.headers['x-workbench-token']
  if (typeof header === 'string' && tokensEqual(header, expected)) return 'header'
  const query = url.searchParams.get('token')
  if (query !== null && tokensEqual(query, expected)) return 'query'
  const cookie = readCookie(req.headers.cookie, tokenCookieName(port))
  if (cookie !== undefined && tokensEqual(cookie, expected)) return 'cookie'
  return undefined
}
