import type { FastifyReply } from 'fastify'
import { memoizeRecent } from '../memo.js'
import {
  JSONRPCErrorResponseSchema, JSONRPCNotificationSchema, JSONRPCRequestSchema, JSONRPCResultResponseSchema,
} from '@modelcontextprotocol/core'
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/server'

// HTTP-level checks of the Streamable HTTP transport, as pure functions the routes compose.

export const MAX_BATCH = 100
/** Bounds on untrusted JSON shape: deep nesting and huge arrays cost CPU in every later step. */
export const MAX_DEPTH = 32
export const MAX_ARRAY = 1000

/** Answers with a JSON-RPC error object (id null), the shape MCP clients expect from /mcp. */
export function rpcError (reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).type('application/json').send({ jsonrpc: '2.0', error: { code, message }, id: null })
}

/** True when the Accept header admits `type` (exactly, as `major/*`, or as `*\/*`). */
export function accepts (header: string | undefined, type: string): boolean {
  if (!header) return false
  const major = type.slice(0, type.indexOf('/'))
  for (const part of header.split(',')) {
    const range = part.split(';', 1)[0].trim().toLowerCase()
    if (range === type || range === '*/*' || range === `${major}/*`) return true
  }
  return false
}

/** A POST's Accept must list both answer types; clients repeat one header value, so it is remembered. */
const acceptsBoth = memoizeRecent((header) => accepts(header, 'application/json') && accepts(header, 'text/event-stream'))
export const acceptsPostAnswers = (header: string | undefined): boolean => header !== undefined && header !== '' && acceptsBoth(header)

/** An unsupported MCP-Protocol-Version is a 400; an absent one means 2025-03-26 (spec). */
export function unsupportedVersion (header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined
  const v = Array.isArray(header) ? header[0] : header
  return SUPPORTED_PROTOCOL_VERSIONS.includes(v)
    ? undefined
    : `Unsupported MCP-Protocol-Version: ${v.slice(0, 40)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`
}

/** First shape problem in a parsed JSON value, or undefined; iterative, so no stack to blow. */
export function shapeProblem (value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (depth > MAX_DEPTH) return `JSON nested deeper than ${MAX_DEPTH} levels`
    const children = Array.isArray(node) ? node : Object.values(node)
    if (Array.isArray(node) && node.length > MAX_ARRAY) return `JSON array longer than ${MAX_ARRAY} items`
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return undefined
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isId = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))

/**
 * The JSON-RPC 2.0 envelope: a request (method + id), a notification (method, no id), a result or
 * an error response. The kind is picked by hand, then checked with the SDK's own schema for that
 * kind: the SDK's Protocol silently ignores a message its schemas reject (the request would never
 * be answered), so acceptance here must match them exactly. One schema instead of the SDK's union
 * avoids building an error for every branch that does not match (seen in the benchmark profile).
 */
export function isJsonRpcMessage (m: unknown): boolean {
  if (!isObject(m) || m.jsonrpc !== '2.0') return false
  if ('method' in m) return ('id' in m ? JSONRPCRequestSchema : JSONRPCNotificationSchema).safeParse(m).success
  if (!isId(m.id)) return false
  return ('result' in m ? JSONRPCResultResponseSchema : JSONRPCErrorResponseSchema).safeParse(m).success
}

export type Parsed = { ok: true, messages: JSONRPCMessage[], batch: boolean } | { ok: false, message: string }

/** Validates a POST body as one JSON-RPC message or a batch of them. */
export function parseMessages (body: unknown): Parsed {
  const batch = Array.isArray(body)
  const items: unknown[] = batch ? body : [body]
  if (items.length === 0) return { ok: false, message: 'Invalid Request: empty batch' }
  if (items.length > MAX_BATCH) return { ok: false, message: `Invalid Request: a batch holds at most ${MAX_BATCH} messages` }
  const problem = shapeProblem(body)
  if (problem) return { ok: false, message: `Invalid Request: ${problem}` }
  for (const item of items) {
    if (!isJsonRpcMessage(item)) return { ok: false, message: 'Invalid Request: not a JSON-RPC 2.0 message' }
  }
  return { ok: true, messages: items as JSONRPCMessage[], batch }
}

/** Batches exist only before 2025-06-18; an absent header means 2025-03-26 (spec default). */
export function batchingAllowed (version: string | string[] | undefined): boolean {
  const v = Array.isArray(version) ? version[0] : version
  return v === undefined || v < '2025-06-18'
}

/** Two requests with the same id in one POST could not both be answered. */
export function hasDuplicateIds (messages: JSONRPCMessage[]): boolean {
  const ids = new Set<unknown>()
  for (const m of messages) {
    if (!('id' in m) || !('method' in m)) continue
    if (ids.has(m.id)) return true
    ids.add(m.id)
  }
  return false
}

export function isInitialize (m: JSONRPCMessage): boolean {
  return 'method' in m && m.method === 'initialize' && 'id' in m
}
