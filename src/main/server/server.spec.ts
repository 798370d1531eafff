import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { fakeHandlers } from '../test-support/fake-handlers'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandlers } from '../../shared/api'
import type { DatasetDetail, DatasetSummary } from '../../shared/dataset'
import { InputError } from '../../shared/errors'
import type { BackendProbe } from '../../shared/training'
import { startServer, type RunningServer } from './server'

const summary: DatasetSummary = {
  id: 1,
  name: 'sample',
  layout: 'msd',
  sourceDir: '/data/sample',
  createdAt: '2025-01-01T00:00:00.000Z',
  volumes: 2,
  split: { train: 1, val: 0, test: 1 },
  splitSeed: 0,
  labels: { '0': 'background', '1': 'organ' },
  description: 'two tiny volumes',
}

/** The training ladder on a machine with a hardware GPU and no native TensorFlow. */
const probe: BackendProbe = {
  rungs: [
    { name: 'tensorflow', available: false, adapter: null, detail: ['@tensorflow/tfjs-node: not loadable'] },
    {
      name: 'webgpu', available: true, detail: ['GPU adapter nvidia hopper (vulkan)'],
      adapter: { api: 'vulkan', vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100', software: false },
    },
    { name: 'wasm', available: true, adapter: null, detail: ['WebAssembly on the CPU'] },
    { name: 'cpu', available: true, adapter: null, detail: ['plain JavaScript'] },
  ],
  chosen: 'webgpu',
}

const handlersForTest: ApiHandlers = fakeHandlers({
  'training:backends': async () => probe,
  'app:info': async () => ({ version: '0.0.0-test', dbPath: ':memory:', workspace: '/tmp/ws', transport: 'http' }),
  'datasets:list': async () => [summary],
  'datasets:get': async ({ name }): Promise<DatasetDetail> => {
    if (name === 'boom') throw new Error('disk on fire')
    if (name === 'trace') throw new Error('worker failed\n    at readPair (/home/dev/src/main/core/datasets/read.ts:10:5)')
    if (name !== 'sample') throw new InputError(name, 'no dataset has this name')
    return { ...summary, volumeRecords: [] }
  },
})

/** A raw HTTP request: unlike fetch, it sends the path and the Host header exactly as given. */
function raw(
  port: number,
  opts: { path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      },
    )
    req.on('error', fail)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

describe('browser-mode server', () => {
  let dir: string
  let rendererDir: string
  let server: RunningServer
  let token: string
  let port: number
  const api = (channel: string, body: string, headers: Record<string, string> = {}) =>
    raw(port, {
      path: `/api/${channel}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-workbench-token': token, ...headers },
      body,
    })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-server-'))
    rendererDir = join(dir, 'renderer')
    mkdirSync(join(rendererDir, 'assets'), { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>wb</title>')
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}')
    writeFileSync(join(dir, 'secret.txt'), 'top secret')
    symlinkSync(join(dir, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'))
    server = await startServer({ handlers: handlersForTest, rendererDir, errorLog: join(dir, 'logs', 'errors.log') })
    token = server.token
    port = server.port
  })

  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('prints a loopback URL that carries a 64-hex-digit token', () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${token}`)
  })

  it('refuses requests without a valid token with a plain 403', async () => {
    const attempts: Record<string, string>[] = [{}, { 'x-workbench-token': 'nope' }, { 'x-workbench-token': token.slice(1) }]
    for (const headers of attempts) {
      const page = await raw(port, { path: '/', headers })
      expect(page.status).toBe(403)
      expect(page.headers['content-type']).toMatch(/^text\/plain/)
      expect(page.body).toMatch(/token/)
    }
    const call = await raw(port, { path: '/api/datasets:list', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(call.status).toBe(403)
    const wrongQuery = await raw(port, { path: `/?token=${'0'.repeat(64)}` })
    expect(wrongQuery.status).toBe(403)
    expect(wrongQuery.headers['set-cookie']).toBeUndefined()
  })

  it('accepts the token header on API calls', async () => {
    const res = await api('datasets:list', '{}')
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual([summary])
  })

  it('sets an HttpOnly SameSite=Strict cookie on the ?token= page load, and accepts that cookie afterwards', async () => {
    const page = await raw(port, { path: `/?token=${token}` })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    const setCookie = page.headers['set-cookie']
    expect(Array.isArray(setCookie)).toBe(true)
    const cookieLine = (setCookie as string[])[0] ?? ''
    expect(cookieLine).toMatch(/HttpOnly/)
    expect(cookieLine).toMatch(/SameSite=Strict/)
    const cookie = cookieLine.split(';')[0] ?? ''
    expect(cookie).toBe(`workbench_token_${port}=${token}`)

    const asset = await raw(port, { path: '/assets/app.js', headers: { cookie } })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8')
    const css = await raw(port, { path: '/assets/app.css', headers: { cookie } })
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')

    const call = await raw(port, {
      path: '/api/app:info',
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(call.status).toBe(200)
    expect(JSON.parse(call.body)).toMatchObject({ transport: 'http' })

    const otherPortsCookie = await raw(port, { path: '/assets/app.js', headers: { cookie: `workbench_token_1=${token}` } })
    expect(otherPortsCookie.status).toBe(403)
  })

  it('answers training:backends with the probe of the training ladder', async () => {
    const res = await api('training:backends', '{}')
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual(probe)
  })

  it('answers bad input with 400 and the schema message', async () => {
    const res = await api('datasets:get', JSON.stringify({ name: '' }))
    expect(res.status).toBe(400)
    const body = JSON.parse(res.body) as { error: string; problem: string }
    expect(body.error).toMatch(/invalid input for datasets:get: name:/)
    expect(body.problem).toMatch(/name/)
    expect((await api('datasets:get', '{"name": 3}')).status).toBe(400)
    const notJson = await api('datasets:get', '{name')
    expect(notJson.status).toBe(400)
    expect(JSON.parse(notJson.body).error).toMatch(/not valid JSON/)
  })

  it('answers an InputError with 422 {error, source, problem}', async () => {
    const res = await api('datasets:get', JSON.stringify({ name: 'missing' }))
    expect(res.status).toBe(422)
    expect(JSON.parse(res.body)).toEqual({ error: 'missing: no dataset has this name', source: 'missing', problem: 'no dataset has this name' })
  })

  it('answers other handler errors with 500 {error}', async () => {
    const res = await api('datasets:get', JSON.stringify({ name: 'boom' }))
    expect(res.status).toBe(500)
    expect(JSON.parse(res.body)).toEqual({ error: 'disk on fire' })
  })

  it('answers an unexpected error with its one line, and appends the trace to the error log', async () => {
    const res = await api('datasets:get', JSON.stringify({ name: 'trace' }))
    expect(res.status).toBe(500)
    expect(JSON.parse(res.body)).toEqual({ error: 'worker failed' })
    expect(res.body).not.toContain('/src/')
    const log = readFileSync(join(dir, 'logs', 'errors.log'), 'utf8')
    expect(log).toMatch(/\[\d{4}-\d\d-\d\dT[\d:.]+Z\] server: worker failed\n/)
    expect(log).toContain('at readPair (/home/dev/src/main/core/datasets/read.ts:10:5)')
  })

  it('answers an input error without logging a trace', async () => {
    await api('datasets:get', JSON.stringify({ name: 'missing' }))
    expect(readFileSync(join(dir, 'logs', 'errors.log'), 'utf8')).not.toContain('missing')
  })

  it('answers an unknown channel with 404, a GET on the API with 405, a non-JSON body with 415', async () => {
    expect((await api('datasets:delete', '{}')).status).toBe(404)
    expect((await api('__proto__', '{}')).status).toBe(404)
    expect((await raw(port, { path: '/api/datasets:list', headers: { 'x-workbench-token': token } })).status).toBe(405)
    expect((await api('datasets:list', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415)
  })

  it('refuses a cross-origin API call', async () => {
    const res = await api('datasets:list', '{}', { origin: 'http://evil.example' })
    expect(res.status).toBe(403)
    expect((await api('datasets:list', '{}', { origin: `http://localhost:${port}` })).status).toBe(200)
  })

  it('refuses directory traversal in every spelling', async () => {
    const headers = { 'x-workbench-token': token }
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets%2f..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/assets/link.txt',
    ]) {
      const res = await raw(port, { path, headers })
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.body, path).not.toContain('top secret')
    }
  })

  it('falls back to index.html for client routes but not for missing files', async () => {
    const headers = { 'x-workbench-token': token }
    const route = await raw(port, { path: '/datasets/sample', headers })
    expect(route.status).toBe(200)
    expect(route.body).toContain('<title>wb</title>')
    expect((await raw(port, { path: '/assets/missing.js', headers })).status).toBe(404)
  })

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`]) {
      const res = await raw(port, { path: `/?token=${token}`, headers: { host } })
      expect(res.status, host).toBe(403)
      expect(res.body).toMatch(/Host/)
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await raw(port, { path: '/', headers: { host, 'x-workbench-token': token } })).status, host).toBe(200)
    }
  })
})

describe('startServer options', () => {
  it('refuses a non-loopback host', async () => {
    for (const host of ['0.0.0.0', '192.168.1.10', '::', 'example.com']) {
      await expect(startServer({ handlers: handlersForTest, rendererDir: tmpdir(), host })).rejects.toThrow(/loopback/)
    }
  })

  it('uses a given token and refuses a short one', async () => {
    const server = await startServer({ handlers: handlersForTest, rendererDir: tmpdir(), token: 'a-long-enough-token' })
    try {
      expect(server.url).toMatch(/\?token=a-long-enough-token$/)
    } finally {
      await server.close()
    }
    await expect(startServer({ handlers: handlersForTest, rendererDir: tmpdir(), token: 'short' })).rejects.toThrow(/16/)
  })
})

/**
 * Streams `total` bytes as a chunked POST body, honouring backpressure, and returns the reply with how many
 * bytes the client had handed to the socket when the reply arrived.
 */
function sendLargeBody(
  port: number,
  token: string,
  total: number,
  declareLength: boolean,
): Promise<{ status: number; body: string; sentAtReply: number }> {
  return new Promise((done, fail) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    let sent = 0
    let replied = false
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-workbench-token': token }
    if (declareLength) headers['content-length'] = String(total)
    const req = request({ host: '127.0.0.1', port, path: '/api/datasets:list', method: 'POST', headers }, (res) => {
      replied = true
      const sentAtReply = sent
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentAtReply }))
      res.on('error', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentAtReply }))
    })
    // The server closes the connection mid-body: writes after that fail, which is the point.
    req.on('error', (err) => {
      if (!replied) fail(err)
    })
    const pump = (): void => {
      while (!replied && sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      if (!replied) req.end()
    }
    pump()
  })
}

describe('browser-mode server body limit', () => {
  const limit = 1024 * 1024
  const total = 50 * 1024 * 1024
  let server: RunningServer

  beforeAll(async () => {
    server = await startServer({ handlers: handlersForTest, rendererDir: tmpdir(), maxBodyBytes: limit })
  })

  afterAll(async () => {
    await server.close()
  })

  it('stops reading a 50 MB body at the limit and answers 413 before the client has sent it', async () => {
    const reply = await sendLargeBody(server.port, server.token, total, false)
    expect(reply.status).toBe(413)
    expect(JSON.parse(reply.body)).toEqual({ error: `the body is larger than ${limit} bytes` })
    // What the client got into the socket is bounded by the limit plus the socket buffers, far from 50 MB.
    expect(reply.sentAtReply).toBeLessThan(16 * 1024 * 1024)
  })

  it('refuses a declared length over the limit without reading the body', async () => {
    const reply = await sendLargeBody(server.port, server.token, total, true)
    expect(reply.status).toBe(413)
    expect(reply.sentAtReply).toBeLessThan(16 * 1024 * 1024)
  })

  it('still answers a body under the limit', async () => {
    // An empty payload padded with whitespace: channel inputs refuse unknown keys, so the padding is not a key.
    const body = `{${' '.repeat(limit - 100)}}`
    const res = await raw(server.port, {
      path: '/api/datasets:list',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-workbench-token': server.token },
      body,
    })
    expect(res.status).toBe(200)
  })
})
