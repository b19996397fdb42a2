// MCP 2026-07-28 on the same POST /mcp as the 2025 era. A request that carries the per-request
// `_meta` envelope is served on its own, with no session, by the SDK's per-request entry
// (createMcpHandler), which owns that revision's rules: server/discover, the Mcp-Method and
// Mcp-Name header checks (-32020), the supported-version answer (-32022), cache hints, streamed
// answers, cancellation when the response stream closes, and subscriptions/listen. The Fastify
// route in front has already applied what both eras share (Host, Origin, API key, rate limit,
// body limit), and Fastify sends the SDK's answer, so CORS and rate-limit headers hold.
import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  classifyInboundRequest, createMcpHandler, InMemoryServerEventBus, PROTOCOL_VERSION_META_KEY,
  type AuthInfo, type InboundClassificationOutcome, type InboundModernRoute, type McpHttpHandler, type Server,
} from '@modelcontextprotocol/server'
import type { Catalog } from './catalog.js'
import { ModernCalls, sdkHeaders, sharedEvent, type SharedAnswer } from './modern-calls.js'
import { ModernLists, REMEMBERED, rememberable, sendRemembered } from './modern-lists.js'
import { matchResource } from './prompts-resources.js'
import type { Caller, Logger, ToolCallEvent } from './session-context.js'
import { MAX_SUBSCRIPTIONS } from './subscriptions.js'

export interface ModernOptions {
  catalog: Catalog
  logger: Logger
  /**
   * A server for one 2026 request by `caller` (built per request: 2026 has no sessions); `observe`,
   * when given, hears the audit event of the tool call it serves.
   */
  serverFor: (caller: Caller, observe?: (event: ToolCallEvent) => void) => Server
  /** Audits a tool call answered from an identical one in flight (modern-calls.ts). */
  audit: (event: ToolCallEvent) => void
  /** Open subscriptions/listen streams at most, on this process. */
  maxListeners: number
}

// The first revision with the per-request envelope: a version header at or past it names 2026.
export const FIRST_MODERN_VERSION = '2026-07-28'
const NO_CLAIM: InboundClassificationOutcome = { kind: 'legacy', reason: 'no-claim' }
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
/** HTTP's optional whitespace (space, tab) around a header value, as the SDK strips it. */
const ows = (v: string) => v.replace(/^[ \t]+|[ \t]+$/g, '')

/**
 * A message the SDK's classifier can only call 2025: one request or notification whose params
 * carry no envelope claim (the reserved protocol-version `_meta` key), sent without a 2026
 * version header. Most 2025 traffic; answering it here saves the SDK's schema checks, which the
 * 2025 path repeats on the message anyway (and refuses a malformed one there, with the same 400
 * and -32600). test/mcp/modern.test.ts checks the two agree.
 */
export function plainlyLegacy (body: unknown, versionHeader: string | undefined): boolean {
  if (!isObject(body) || typeof body.method !== 'string' || 'result' in body || 'error' in body) return false
  if (versionHeader !== undefined && ows(versionHeader) >= FIRST_MODERN_VERSION) return false
  const meta = isObject(body.params) ? body.params._meta : undefined
  return !(isObject(meta) && PROTOCOL_VERSION_META_KEY in meta)
}

// Methods whose 2026 serving here reads the classified message (remembered lists, listen
// streams), and initialize, whose era a claim alone does not settle.
const READS_ROUTE = new Set([...REMEMBERED, 'subscriptions/listen', 'initialize'])

/**
 * A message the SDK's classifier can only call 2026, or refuse: one request or notification whose
 * params carry the envelope claim, for a method served here without reading its classification.
 * Such a message goes straight to the SDK's per-request entry, which classifies it anyway and
 * answers every refusal of its ladder itself (header mismatch -32020, a malformed envelope, an
 * unsupported version -32022); classifying it here first cost as much again. Returns the method.
 * test/mcp/modern.test.ts checks that the SDK never calls such a message 2025.
 */
export function plainlyModern (body: unknown): string | undefined {
  if (!isObject(body) || typeof body.method !== 'string' || 'result' in body || 'error' in body) return undefined
  if (READS_ROUTE.has(body.method)) return undefined
  const meta = isObject(body.params) ? body.params._meta : undefined
  return isObject(meta) && PROTOCOL_VERSION_META_KEY in meta ? body.method : undefined
}

/** A 2026 message whose classification is left to the SDK's entry (plainlyModern). */
export interface UncheckedModern { kind: 'unchecked', method: string }

/**
 * How a POST is routed: the 2025 path, the 2026 path (classified here, or left to the SDK's entry),
 * or a refusal the SDK's ladder already wrote.
 */
export function classify (request: FastifyRequest): InboundClassificationOutcome | UncheckedModern {
  const h = request.headers
  const version = header(h['mcp-protocol-version'])
  if (plainlyLegacy(request.body, version)) return NO_CLAIM
  const method = plainlyModern(request.body)
  if (method !== undefined) return { kind: 'unchecked', method }
  return classifyInboundRequest({
    httpMethod: 'POST',
    body: request.body,
    protocolVersionHeader: version,
    mcpMethodHeader: header(h['mcp-method']),
    mcpNameHeader: header(h['mcp-name']),
  })
}

const header = (v: string | string[] | undefined) => Array.isArray(v) ? v[0] : v

/** The SDK's answer to a request its classification refused (header mismatch, bad envelope, ...). */
export function sendRefusal (reply: FastifyReply, outcome: Extract<InboundClassificationOutcome, { kind: 'reject' }>, body: unknown) {
  const id = typeof body === 'object' && body !== null && 'id' in body ? (body as { id: unknown }).id : null
  const error = { code: outcome.code, message: outcome.message, ...(outcome.data !== undefined && { data: outcome.data }) }
  return reply.code(outcome.httpStatus).type('application/json').send({ jsonrpc: '2.0', id: id ?? null, error })
}

/**
 * Resource updates for subscriptions/listen streams. Each URI some stream listens to is watched
 * once on the catalog's update bus (which webhooks feed, from any replica), and published once
 * to the SDK's bus, which fans it out to the streams that named it.
 */
class ListenBridge {
  private readonly watched = new Map<string, { streams: number, stop: () => void }>()

  constructor (private readonly catalog: Catalog, private readonly publish: (uri: string) => void) {}

  watch (uris: readonly string[], access: Caller['access']): () => void {
    for (const uri of uris) {
      const entry = this.watched.get(uri)
      if (entry !== undefined) { entry.streams++; continue }
      const { template, params } = matchResource(this.catalog, uri, { access })
      const topics = template.spec.topics?.(params) ?? [uri]
      this.watched.set(uri, { streams: 1, stop: this.catalog.updates.listen(topics, () => this.publish(uri)) })
    }
    let live = true
    return () => {
      if (!live) return
      live = false
      for (const uri of uris) {
        const entry = this.watched.get(uri)
        if (entry === undefined || --entry.streams > 0) continue
        entry.stop()
        this.watched.delete(uri)
      }
    }
  }

  get size (): number { return this.watched.size }
}

export class ModernEra {
  private readonly handler: McpHttpHandler
  private readonly bridge: ListenBridge
  private readonly callers = new WeakMap<AuthInfo, { caller: Caller, observe?: (event: ToolCallEvent) => void }>()
  private readonly lists = new ModernLists()
  private readonly calls: ModernCalls
  private closed = false

  constructor (private readonly opts: ModernOptions) {
    const bus = new InMemoryServerEventBus((error) => opts.logger.warn({ err: error }, 'listen stream listener failed'))
    this.calls = new ModernCalls(opts.catalog)
    this.handler = createMcpHandler(({ authInfo }) => {
      const entry = authInfo === undefined ? undefined : this.callers.get(authInfo)
      if (entry === undefined) throw new Error('a 2026 request reached the MCP handler without a caller')
      return opts.serverFor(entry.caller, entry.observe)
    }, {
      legacy: 'reject',
      bus,
      maxSubscriptions: opts.maxListeners,
      onerror: (error) => opts.logger.debug({ err: error }, 'MCP 2026 request refused or failed'),
    })
    this.bridge = new ListenBridge(opts.catalog, (uri) => this.handler.notify.resourceUpdated(uri))
  }

  /** URIs the bridge watches (tests, metrics). */
  get watchedResources (): number { return this.bridge.size }

  /** Tool calls in flight that identical ones may wait for, and those waiting (tests). */
  get sharedCalls (): { inFlight: number, waiting: number } { return this.calls.stats }

  /** Serves a 2026 message; `route` is its classification, undefined when the SDK's entry makes it (plainlyModern). */
  async serve (request: FastifyRequest, reply: FastifyReply, caller: Caller, route: InboundModernRoute | undefined): Promise<FastifyReply> {
    if (this.closed) return shuttingDown(reply)
    const listKey = route && this.lists.keyOf(request, route, this.opts.catalog.listVariant(caller.access))
    if (listKey !== undefined && route?.messageKind === 'request' && this.lists.answer(listKey, route.message.id, reply)) return reply
    // An identical read-only call in flight: its answer is this one's (modern-calls.ts). When it
    // has none to give, this request is served on its own, below.
    const shareKey = route === undefined ? this.calls.keyOf(request, caller) : undefined
    const waitFor = shareKey === undefined ? undefined : this.calls.join(shareKey)
    if (waitFor !== undefined) {
      const started = performance.now()
      const shared = await waitFor
      if (shared !== undefined) {
        this.opts.audit(sharedEvent(shared.event, Math.round(performance.now() - started)))
        return sendRemembered(reply, shared.answer, (request.body as { id: unknown }).id)
      }
      if (this.closed) return shuttingDown(reply) // what it waited for was cut short by the shutdown
    }
    const land = shareKey !== undefined && waitFor === undefined ? this.calls.start(shareKey) : undefined
    let share = (): SharedAnswer | undefined => undefined
    try {
      return await this.exchange(request, reply, caller, route, listKey, land && ((answer) => { share = answer }))
    } finally {
      land?.(share)
    }
  }

  /**
   * Runs one request through the SDK's entry and sends its answer. `offer`, when given, receives a
   * way to build the answer for identical requests that waited (modern-calls.ts).
   */
  private async exchange (
    request: FastifyRequest, reply: FastifyReply, caller: Caller, route: InboundModernRoute | undefined,
    listKey: string | undefined, offer?: (share: () => SharedAnswer | undefined) => void,
  ): Promise<FastifyReply> {
    let unwatch: (() => void) | undefined
    if (route?.messageKind === 'request' && route.message.method === 'subscriptions/listen') {
      const refused = this.refusedListen(route.message.params, caller)
      if (refused !== undefined) {
        return reply.code(200).type('application/json').send({ jsonrpc: '2.0', id: route.message.id, error: refused })
      }
      unwatch = this.bridge.watch(listenUris(route.message.params), caller.access)
    }
    // Closing the response stream is how a 2026 client cancels: the SDK aborts the call. A client
    // that left while the request waited in a hook (the rate limiter asks Redis) has closed it
    // already, and 'close' is not emitted again: abort at once, or its listen stays watched.
    const abort = new AbortController()
    const ended = () => {
      // 'close' also follows every complete answer; aborting then would only make the SDK build errors.
      if (!reply.raw.writableFinished) abort.abort()
      unwatch?.()
    }
    if (reply.raw.destroyed) ended()
    else reply.raw.once('close', ended)
    const authInfo: AuthInfo = { token: '', clientId: caller.id, scopes: [] }
    let event: ToolCallEvent | undefined
    this.callers.set(authInfo, { caller, observe: offer && ((e) => { event = e }) })
    const response = await this.handler.fetch(webRequest(request, abort.signal), { authInfo, parsedBody: request.body })
    reply.code(response.status)
    response.headers.forEach((value, name) => { reply.header(name, value) })
    if (response.body === null) return reply.send()
    if (response.headers.get('content-type')?.startsWith('text/event-stream') === true) {
      return reply.send(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream))
    }
    const body = Buffer.from(await response.arrayBuffer())
    if (listKey !== undefined) this.lists.remember(listKey, response, body)
    offer?.(() => {
      const answer = event?.outcome === 'ok' ? rememberable(response, body) : undefined
      return answer === undefined || event === undefined ? undefined : { answer, event }
    })
    return reply.send(body)
  }

  /**
   * A listen stream may name only resources the caller may read, as resources/read decides, and
   * no more of them than a 2025 session may subscribe to (the body limit alone would let one
   * request watch tens of thousands).
   */
  private refusedListen (params: unknown, caller: Caller): { code: number, message: string } | undefined {
    const uris = listenUris(params)
    if (uris.length > MAX_SUBSCRIPTIONS) {
      return { code: -32602, message: `Too many resources in one subscriptions/listen (at most ${MAX_SUBSCRIPTIONS}); open another stream for the rest` }
    }
    for (const uri of uris) {
      try {
        matchResource(this.opts.catalog, uri, { access: caller.access })
      } catch (error) {
        const e = error as { code?: number, message?: string }
        return { code: -32602, message: e.message ?? `Cannot subscribe to ${uri.slice(0, 200)}` }
      }
    }
    return undefined
  }

  async close (): Promise<void> {
    this.closed = true
    await this.handler.close()
  }
}

/** Shutdown has begun (the SDK's entry is closed): the answer a 2025 client gets for a new session. */
function shuttingDown (reply: FastifyReply): FastifyReply {
  return reply.code(503).header('retry-after', '5').type('application/json')
    .send({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Server is shutting down' } })
}

/** The distinct resource URIs a listen request names. */
function listenUris (params: unknown): string[] {
  const uris = (params as { notifications?: { resourceSubscriptions?: unknown } } | undefined)?.notifications?.resourceSubscriptions
  return Array.isArray(uris) ? [...new Set(uris.filter((u): u is string => typeof u === 'string'))] : []
}

/**
 * The Web Request the SDK's entry reads: the body is already parsed, and the caller travels as
 * authInfo, so it carries only the headers MCP defines (sdkHeaders).
 */
export function webRequest (request: FastifyRequest, signal: AbortSignal): Request {
  const headers = sdkHeaders(request)
  // The signal is set on the Request afterwards: given to the constructor, it makes undici build
  // a second signal that follows it (an AbortController, a listener and a finaliser registration
  // per request, two thirds of the Request's cost), and the SDK only reads `request.signal`.
  const web = new Request(`http://${request.host}${request.url}`, { method: 'POST', headers })
  return Object.defineProperty(web, 'signal', { value: signal })
}
