// The few raw MCP-over-HTTP exchanges the bench makes outside autocannon (opening sessions,
// checking answers before a round, closing sessions), the requests and headers of both protocol
// eras, and the parsing of JSON or SSE answers.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { API_KEY } from './config.js'

export const PROTOCOL_VERSION = '2025-11-25'

export function mcpHeaders (sessionId?: string, initialized = true): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'x-api-key': API_KEY,
    ...(initialized && { 'mcp-protocol-version': PROTOCOL_VERSION }),
    ...(sessionId && { 'mcp-session-id': sessionId })
  }
}

export const initializeRequest = (id: number | string = 1) => ({
  jsonrpc: '2.0', id, method: 'initialize',
  params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } }
})

export const MODERN_PROTOCOL_VERSION = '2026-07-28'
const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion'

/**
 * A 2026-07-28 request: no session and no initialize before it. What initialize used to say
 * travels in every request's `params._meta` envelope; the protocol-version key is what claims
 * the 2026 era (key names as in the SDK's core constants).
 */
export function modernRequest (id: number, method: string, params: Record<string, unknown> = {}) {
  const _meta = {
    [VERSION_KEY]: MODERN_PROTOCOL_VERSION,
    'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {}
  }
  return { jsonrpc: '2.0', id, method, params: { ...params, _meta } }
}

type Message = { method?: unknown, params?: { _meta?: Record<string, unknown>, name?: unknown, uri?: unknown } }

/**
 * The headers of a POST carrying `message`. A request whose envelope claims a protocol version
 * gets them from its body, as the SDK client derives them: `MCP-Protocol-Version` from the
 * envelope, `Mcp-Method` from the method, `Mcp-Name` from `params.name` (tools/call, prompts/get)
 * or `params.uri` (resources/read); a server refuses any disagreement (400, -32020). The bench's
 * names are plain ASCII, which the header carries as is. Anything else gets the 2025 era's headers.
 */
export function requestHeaders (message: unknown, sessionId?: string, initialized = true): Record<string, string> {
  const { method, params } = (message ?? {}) as Message
  const version = params?._meta?.[VERSION_KEY]
  if (typeof version !== 'string' || typeof method !== 'string') return mcpHeaders(sessionId, initialized)
  const name = method === 'resources/read' ? params?.uri : (method === 'tools/call' || method === 'prompts/get') ? params?.name : undefined
  return {
    ...mcpHeaders(undefined, false),
    'mcp-protocol-version': version,
    'mcp-method': method,
    ...(typeof name === 'string' && { 'mcp-name': name })
  }
}

/**
 * The JSON-RPC messages in a POST's answer: a JSON body (one message or a batch), or an SSE
 * stream whose `data:` lines (possibly several per event) carry one message per event.
 */
export function parseRpcBody (contentType: string | null | undefined, body: string): JSONRPCMessage[] {
  if ((contentType ?? '').includes('text/event-stream')) {
    const messages: JSONRPCMessage[] = []
    for (const event of body.split(/\r?\n\r?\n/)) {
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''))
      if (data.length > 0) messages.push(JSON.parse(data.join('\n')) as JSONRPCMessage)
    }
    return messages
  }
  if (body.trim() === '') return []
  const parsed = JSON.parse(body) as JSONRPCMessage | JSONRPCMessage[]
  return Array.isArray(parsed) ? parsed : [parsed]
}

export interface RpcAnswer { status: number, sessionId?: string, messages: JSONRPCMessage[] }

export async function post (url: string, message: unknown, sessionId?: string, initialized = true): Promise<RpcAnswer> {
  const res = await fetch(`${url}/mcp`, { method: 'POST', headers: requestHeaders(message, sessionId, initialized), body: JSON.stringify(message) })
  const body = await res.text()
  return { status: res.status, sessionId: res.headers.get('mcp-session-id') ?? undefined, messages: parseRpcBody(res.headers.get('content-type'), body) }
}

/** initialize + notifications/initialized, as a client does; returns the session id. */
export async function openSession (url: string): Promise<string> {
  const init = await post(url, initializeRequest(), undefined, false)
  if (init.status !== 200 || !init.sessionId) throw new Error(`initialize at ${url} answered ${init.status} without a session`)
  const note = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, init.sessionId)
  if (note.status !== 202) throw new Error(`notifications/initialized at ${url} answered ${note.status}`)
  return init.sessionId
}

export async function closeSession (url: string, sessionId: string): Promise<void> {
  const res = await fetch(`${url}/mcp`, { method: 'DELETE', headers: mcpHeaders(sessionId) })
  await res.arrayBuffer()
  if (res.status !== 200 && res.status !== 204) throw new Error(`DELETE session at ${url} answered ${res.status}`)
}

/** Runs `task` over `items` with at most `limit` at once (opening thousands of sessions). */
export async function inBatches<T> (items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => { while (next < items.length) await task(items[next++]) }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
