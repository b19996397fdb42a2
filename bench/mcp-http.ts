// The few raw MCP-over-HTTP exchanges the bench makes outside autocannon (opening sessions,
// checking answers before a round, closing sessions) and the parsing of JSON or SSE answers.
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
  const res = await fetch(`${url}/mcp`, { method: 'POST', headers: mcpHeaders(sessionId, initialized), body: JSON.stringify(message) })
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
