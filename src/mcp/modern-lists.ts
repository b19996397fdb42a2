// 2026-07-28 list answers, remembered. A list (tools, prompts, resources, templates) and
// server/discover depend only on which lists the caller sees and on the request's params, so the
// SDK's own answer to one request is the answer to every identical one: the same method, the
// same params byte for byte (envelope included, so the SDK has validated exactly this envelope),
// the same list variant, with the protocol headers present (classification has already checked
// that present ones match the body). Only the id differs. What the SDK would refuse is never
// remembered: only 200 JSON results are, and a request unlike a remembered one goes to the SDK.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { InboundModernRoute } from '@modelcontextprotocol/server'
import { LRUCache } from 'lru-cache'

/** The methods whose answers are remembered. */
export const REMEMBERED: ReadonlySet<string> = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'server/discover'])

// Headers of the SDK's answer that describe that one response, not the result.
const PER_RESPONSE = new Set(['content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding'])

/** A plain JSON result the SDK answered, ready to answer an identical request under its own id. */
export interface Remembered { result: string, headers: Array<[string, string]> }

/** The SDK's answer as a Remembered, when it is a 200 JSON result (not an error, not a stream). */
export function rememberable (response: Response, body: Buffer): Remembered | undefined {
  if (response.status !== 200 || response.headers.get('content-type')?.startsWith('application/json') !== true) return undefined
  let parsed: { result?: unknown }
  try {
    parsed = JSON.parse(body.toString('utf8')) as { result?: unknown }
  } catch {
    return undefined
  }
  if (typeof parsed.result !== 'object' || parsed.result === null) return undefined
  const headers: Array<[string, string]> = []
  response.headers.forEach((value, name) => { if (!PER_RESPONSE.has(name)) headers.push([name, value]) })
  return { result: JSON.stringify(parsed.result), headers }
}

/** Answers `id` with a remembered result. */
export function sendRemembered (reply: FastifyReply, remembered: Remembered, id: unknown): FastifyReply {
  for (const [name, value] of remembered.headers) reply.header(name, value)
  return reply.code(200).send(Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${remembered.result}}`))
}

export class ModernLists {
  private readonly answers = new LRUCache<string, Remembered>({ max: 1000 })

  /** The key for a request that may be answered from memory, or undefined. */
  keyOf (request: FastifyRequest, route: InboundModernRoute, variant: number): string | undefined {
    if (route.messageKind !== 'request' || !REMEMBERED.has(route.message.method)) return undefined
    const h = request.headers
    if (typeof h['mcp-protocol-version'] !== 'string' || typeof h['mcp-method'] !== 'string') return undefined
    return `${variant} ${route.message.method} ${JSON.stringify(route.message.params ?? null)}`
  }

  /** Answers from memory; false when nothing is remembered under `key`. */
  answer (key: string, id: unknown, reply: FastifyReply): boolean {
    const remembered = this.answers.get(key)
    if (remembered === undefined) return false
    sendRemembered(reply, remembered, id)
    return true
  }

  /** Keeps the SDK's answer under `key` when it is a plain JSON result. */
  remember (key: string, response: Response, body: Buffer): void {
    const remembered = rememberable(response, body)
    if (remembered !== undefined) this.answers.set(key, remembered)
  }

  get size (): number { return this.answers.size }
}
