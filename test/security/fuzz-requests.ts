// The fuzz corpus: every request is generated up front from the seed, so a run is reproducible.
// Session ids are placeholders (SessionRef) resolved when a request is sent.
import type { Rng } from './fuzz-rng.js'
import { METHODS, baseMessage, fuzzedBatch, fuzzedMessage, type Method } from './fuzz-messages.js'
import { mutateHeaders, refusalsOf, setHeader, validDraft, type Draft, type Refusal, type SessionRef } from './fuzz-headers.js'

export const CATEGORIES = ['jsonrpc', 'batch', 'domain', 'headers', 'body', 'method-path', 'session'] as const
export type Category = typeof CATEGORIES[number]

export interface FuzzRequest {
  n: number
  category: Category
  /** What was fired, for the summary and for failure messages. */
  detail: string
  method: string
  path: string
  headers: Array<[string, string]>
  session?: SessionRef
  body?: string | Buffer
  refused: Refusal[]
  /** A fuzzed initialize that opens a session: end it with DELETE afterwards (else it idles out). */
  closeSession: boolean
}

const DOMAIN_METHODS: Method[] = ['tools/call', 'tools/call', 'tools/call', 'resources/read', 'prompts/get', 'completion/complete']
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'SEARCH', 'TRACE']

function safePath (rng: Rng): string {
  try {
    return `/${encodeURIComponent(rng.nastyText(30))}`
  } catch {
    return '/%ED%A0%80' // a lone surrogate cannot be URI-encoded; send its raw UTF-8 bytes escaped
  }
}

const PATHS: Array<(rng: Rng) => string> = [
  () => '/mcp', () => '/mcp/', () => '/MCP', () => '/mcp?x=1&x=2', () => '/mcp/../health', () => '//mcp', () => '/mcp%2F',
  () => '/mcp/x', () => '/health', () => '/health/live', () => '/metrics', () => '/', () => '/%', () => '/%00', () => '/mcp;x',
  (rng) => `/${'a'.repeat(rng.pick([100, 8000, 20_000]))}`, safePath, () => '/mcp?%zz', () => '/.env', () => '/mcp#frag'
]

const GARBAGE_BODIES: Array<(rng: Rng) => string | Buffer> = [
  (rng) => { const s = JSON.stringify(baseMessage(rng, 'tools/list')); return s.slice(0, rng.int(0, s.length - 1)) },
  (rng) => Buffer.from(Array.from({ length: rng.int(1, 4000) }, () => rng.int(0, 255))),
  () => `\ufeff${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })}`,
  () => `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })}}garbage`,
  (rng) => rng.pick(['', 'null', '0', '"s"', 'true', '{}', '[]', '[[]]', ' '.repeat(100_000), '1e999999', '-', '01', 'NaN', '[1,]']),
  () => '{"__proto__":{"polluted":1},"jsonrpc":"2.0","id":1,"method":"ping"}',
  () => '{"constructor":{"prototype":{"polluted":1}},"jsonrpc":"2.0","id":1,"method":"ping"}',
  () => `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  () => '['.repeat(200_000),
  () => `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`,
  () => 'x'.repeat(300_000), // over BODY_LIMIT_BYTES: 413
  () => '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"tools/list"}',
  () => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), 'utf16le'),
  () => '{"jsonrpc":"2.0","id":1,"method":"ping\u0000"}'.replace('\\u0000', '\u0000')
]

function finish (n: number, category: Category, detail: string, method: string, path: string, d: Draft, body?: unknown): FuzzRequest {
  const isInit = typeof body === 'object' && body !== null && !Array.isArray(body) && (body as { method?: unknown }).method === 'initialize'
  if (isInit) d.session = undefined // an initialize opens a session, it does not name one
  return {
    n, category, detail, method, path, headers: d.headers, session: d.session,
    body: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    refused: refusalsOf(d), closeSession: isInit
  }
}

export function generate (rng: Rng, n: number): FuzzRequest {
  const category = rng.weighted<Category>([[30, 'jsonrpc'], [8, 'batch'], [25, 'domain'], [15, 'headers'], [10, 'body'], [8, 'method-path'], [4, 'session']])
  const key = rng.pick([0, 1] as const)
  const d = validDraft(rng, key)
  switch (category) {
    case 'jsonrpc': {
      const method = rng.pick(METHODS)
      const { msg, mutations } = fuzzedMessage(rng, method)
      return finish(n, category, `${method} [${mutations.join(',')}]`, 'POST', '/mcp', d, msg)
    }
    case 'batch':
      return finish(n, category, 'batch', 'POST', '/mcp', d, fuzzedBatch(rng))
    case 'domain': {
      const method = rng.pick(DOMAIN_METHODS)
      const msg = baseMessage(rng, method)
      const params = msg.params as { name?: unknown, uri?: unknown }
      return finish(n, category, `${method} ${String(params.name ?? params.uri ?? '').slice(0, 60)}`, 'POST', '/mcp', d, msg)
    }
    case 'headers': {
      const method = rng.pick(['ping', 'tools/list', 'tools/call', 'initialize'] as const)
      const names = mutateHeaders(rng, d)
      return finish(n, category, `${method} [${names.join(',')}]`, 'POST', '/mcp', d, baseMessage(rng, method))
    }
    case 'body': {
      const index = rng.int(0, GARBAGE_BODIES.length - 1)
      return finish(n, category, `garbage #${index}`, 'POST', '/mcp', d, GARBAGE_BODIES[index](rng))
    }
    case 'method-path': {
      const method = rng.pick(HTTP_METHODS)
      const path = rng.pick(PATHS)(rng)
      if (rng.chance(0.3)) setHeader(d, 'accept', 'text/event-stream')
      if (method === 'OPTIONS' && rng.chance(0.5)) {
        setHeader(d, 'origin', rng.pick(['https://app.example', 'https://evil.example']))
        setHeader(d, 'access-control-request-method', rng.pick(['POST', 'DELETE', 'PUT']))
      }
      const body = ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method) && rng.chance(0.7) ? undefined : baseMessage(rng, 'ping')
      if (body === undefined) setHeader(d, 'content-type', undefined)
      return finish(n, category, `${method} ${path.slice(0, 60)}`, method, path, d, body)
    }
    case 'session': {
      const method = rng.pick(['initialize', 'initialize', 'GET', 'DELETE-garbage'] as const)
      if (method === 'initialize') {
        const req = finish(n, category, 'initialize', 'POST', '/mcp', d, baseMessage(rng, 'initialize'))
        req.closeSession = rng.chance(0.7)
        return req
      }
      if (method === 'GET') {
        setHeader(d, 'content-type', undefined)
        setHeader(d, 'accept', 'text/event-stream')
        return finish(n, category, 'GET stream', 'GET', '/mcp', d)
      }
      d.session = undefined
      setHeader(d, 'mcp-session-id', rng.headerText(40) || '0')
      return finish(n, category, 'DELETE unknown session', 'DELETE', '/mcp', d)
    }
  }
}
