// Identical 2026-07-28 read-only tool calls in flight share one SDK exchange. The 2025 era shares
// the tool's run (shared-calls.ts) inside each caller's session; a 2026 request has no session,
// and serving it builds a server, a transport, a Web Request and Response and classifies the
// body, which costs more than the shared run itself. So a request that is byte for byte another
// one already in flight (same caller, same protocol headers, same body but for its id: the SDK
// has checked exactly this envelope and these headers) waits for that one's answer and is
// answered with its result under its own id, as modern-lists.ts answers lists. Only plain JSON
// results that the call's audit event calls `ok` are shared; anything else (an error, a refusal,
// a stream, a cancelled leader) sends each waiting request through the SDK on its own. Calls
// that asked for progress or log notifications are never shared (those go to one stream), and
// the write rule of shared-calls.ts holds: a request made after a write ends never joins an
// exchange that started before it. Each answered request still gets its own audit line.
import type { FastifyRequest } from 'fastify'
import { LOG_LEVEL_META_KEY } from '@modelcontextprotocol/server'
import type { Catalog } from './catalog.js'
import type { Remembered } from './modern-lists.js'
import type { Caller, ToolCallEvent } from './session-context.js'

/** What a leader's exchange gives the requests that waited for it: undefined sends them to the SDK. */
export interface SharedAnswer { answer: Remembered, event: ToolCallEvent }

interface Exchange {
  epoch: number
  waiting: number
  landed: Promise<SharedAnswer | undefined>
}

/**
 * The headers the SDK's entry is handed (modern.ts webRequest): credentials were checked in front,
 * so only those MCP defines, the content type, Accept and the `Mcp-*` / `MCP-*` family (version,
 * method, name, parameters). A 2026 answer depends on no other.
 */
export function sdkHeaders (request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const name in request.headers) {
    const value = request.headers[name]
    if (value === undefined || !(name === 'content-type' || name === 'accept' || name.startsWith('mcp-'))) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
/** The ids the SDK accepts (JSON-RPC string or integer): a waiting request's id is not checked by it. */
const validId = (id: unknown) => typeof id === 'string' || Number.isSafeInteger(id)

export class ModernCalls {
  private readonly exchanges = new Map<string, Exchange>()

  constructor (private readonly catalog: Catalog) {}

  /** The key under which `request` (a tools/call left to the SDK) may share an exchange, or undefined. */
  keyOf (request: FastifyRequest, caller: Caller): string | undefined {
    const body = request.body
    if (!isObject(body) || body.method !== 'tools/call' || !validId(body.id) || !isObject(body.params)) return undefined
    const { name, _meta: meta } = body.params
    if (typeof name !== 'string' || this.catalog.tools.get(name)?.spec.hints.readOnlyHint !== true) return undefined
    if (!isObject(meta) || 'progressToken' in meta || LOG_LEVEL_META_KEY in meta) return undefined
    const { id: _id, ...rest } = body
    return `${caller.id}\0${JSON.stringify(sdkHeaders(request))}\0${JSON.stringify(rest)}`
  }

  /** The exchange in flight for `key` that a request made now may wait for. */
  join (key: string): Promise<SharedAnswer | undefined> | undefined {
    const exchange = this.exchanges.get(key)
    if (exchange === undefined || exchange.epoch !== this.catalog.shared.epoch) return undefined
    exchange.waiting++
    return exchange.landed
  }

  /**
   * Registers the exchange of `key`, which the caller is about to run; the returned function lands
   * it, given a way to build the shared answer (called only when some request waited).
   */
  start (key: string): (share: () => SharedAnswer | undefined) => void {
    let settle!: (answer: SharedAnswer | undefined) => void
    const exchange: Exchange = { epoch: this.catalog.shared.epoch, waiting: 0, landed: new Promise((resolve) => { settle = resolve }) }
    this.exchanges.set(key, exchange)
    return (share) => {
      if (this.exchanges.get(key) === exchange) this.exchanges.delete(key)
      settle(exchange.waiting > 0 ? share() : undefined)
    }
  }

  /** Exchanges in flight, and the requests waiting for them (tests). */
  get stats (): { inFlight: number, waiting: number } {
    let waiting = 0
    for (const exchange of this.exchanges.values()) waiting += exchange.waiting
    return { inFlight: this.exchanges.size, waiting }
  }
}

/** The audit event of a request answered from another's exchange (the same caller's): its own duration, shared. */
export function sharedEvent (event: ToolCallEvent, durationMs: number): ToolCallEvent {
  return { ...event, durationMs, shared: true }
}
