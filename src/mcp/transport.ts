import { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js'
import { messageJson } from './stable-json.js'

/**
 * A Fastify-native MCP Streamable HTTP server transport for one session (or one stateless request).
 *
 * Why not the SDK's StreamableHTTPServerTransport: it converts every request and response to
 * Web Request/Response objects and writes to the raw socket, bypassing Fastify's hooks. Here the
 * route has already validated headers, session and body; this class only routes JSON-RPC
 * messages between HTTP exchanges and the SDK `Server`, answering through Fastify's reply.
 *
 * A POST carrying requests is answered with plain JSON when nothing but the responses is sent
 * (the common, cheapest case), and upgraded to an SSE stream the moment the server sends a
 * notification or request tied to one of those requests (progress, logging, elicitation).
 * The spec lets the server pick either content type; the choice is made before any byte is sent.
 */
interface PostExchange {
  reply: FastifyReply
  pending: Set<RequestId>
  responses: JSONRPCMessage[]
  batch: boolean
  sse?: PassThrough
  settle: (payload: string | PassThrough) => void
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no'
}
const KEEPALIVE_MS = 25_000

export function sseEvent (message: JSONRPCMessage): string {
  return `event: message\ndata: ${messageJson(message)}\n\n`
}

const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } =>
  'id' in m && ('result' in m || 'error' in m)
const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } =>
  'id' in m && 'method' in m

export class FastifyTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void
  protocolVersion?: string
  private readonly exchanges = new Map<RequestId, PostExchange>()
  private standalone?: { stream: PassThrough; timer: NodeJS.Timeout }
  private closed = false

  constructor (readonly sessionId?: string) {}

  async start (): Promise<void> {}

  setProtocolVersion (version: string): void { this.protocolVersion = version }

  get isClosed (): boolean { return this.closed }
  /** Requests being answered or a GET stream open: the session is in use, not idle. */
  get busy (): boolean { return this.exchanges.size > 0 || this.standalone !== undefined }
  hasRequest (id: RequestId): boolean { return this.exchanges.has(id) }

  /**
   * Hands a POST's messages to the server. Resolves with what the route returns: the JSON
   * text, an SSE stream, or null when the POST held only notifications/responses (→ 202).
   */
  dispatch (reply: FastifyReply, messages: JSONRPCMessage[], batch: boolean, extra: MessageExtraInfo): Promise<string | PassThrough | null> {
    const requests = messages.filter(isRequest)
    if (requests.length === 0) {
      for (const m of messages) this.onmessage?.(m, extra)
      return Promise.resolve(null)
    }
    return new Promise((resolve) => {
      const exchange: PostExchange = { reply, pending: new Set(), responses: [], batch, settle: resolve }
      for (const r of requests) {
        exchange.pending.add(r.id)
        this.exchanges.set(r.id, exchange)
      }
      // A client that goes away mid-call cancels its requests, so upstream work stops too.
      reply.raw.once('close', () => this.abandon(exchange))
      for (const m of messages) this.onmessage?.(m, extra)
    })
  }

  /** Opens the session's standalone GET stream; false when one is already open (→ 409). */
  openStandalone (reply: FastifyReply): PassThrough | null {
    if (this.standalone || this.closed) return null
    const stream = new PassThrough()
    const timer = setInterval(() => stream.write(': keepalive\n\n'), KEEPALIVE_MS).unref()
    this.standalone = { stream, timer }
    reply.headers(SSE_HEADERS)
    const end = () => {
      clearInterval(timer)
      if (this.standalone?.stream === stream) this.standalone = undefined
    }
    reply.raw.once('close', end)
    stream.once('close', end)
    // Flush headers at once so the client knows the stream is open before any event.
    stream.write(': stream open\n\n')
    return stream
  }

  /** Ends the GET stream (shutdown: it would otherwise hold its connection open forever). */
  endStandalone (): void {
    this.standalone?.stream.end()
  }

  async send (message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const id = isResponse(message) ? message.id : options?.relatedRequestId
    const exchange = id === undefined ? undefined : this.exchanges.get(id)
    if (!exchange) {
      // Unrelated server-to-client traffic goes on the GET stream; without one it is dropped,
      // as the spec allows. Late messages for a finished request are dropped too.
      if (id === undefined && this.standalone) this.standalone.stream.write(sseEvent(message))
      return
    }
    if (!isResponse(message)) {
      this.upgrade(exchange).write(sseEvent(message))
      return
    }
    exchange.pending.delete(message.id)
    this.exchanges.delete(message.id)
    if (exchange.sse) exchange.sse.write(sseEvent(message))
    else exchange.responses.push(message)
    if (exchange.pending.size > 0) return
    if (exchange.sse) exchange.sse.end()
    else {
      exchange.reply.type('application/json')
      exchange.settle(exchange.batch ? `[${exchange.responses.map(messageJson).join(',')}]` : messageJson(exchange.responses[0]))
    }
  }

  private upgrade (exchange: PostExchange): PassThrough {
    if (exchange.sse) return exchange.sse
    const sse = new PassThrough()
    exchange.sse = sse
    exchange.reply.headers(SSE_HEADERS)
    for (const earlier of exchange.responses) sse.write(sseEvent(earlier))
    exchange.responses = []
    exchange.settle(sse)
    return sse
  }

  /** The HTTP exchange ended: tell the server to cancel whatever is still unanswered. */
  private abandon (exchange: PostExchange): void {
    if (exchange.pending.size === 0) return
    for (const requestId of exchange.pending) {
      this.exchanges.delete(requestId)
      this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'client disconnected' } })
    }
    exchange.pending.clear()
    // Let the route's handler finish; nothing can be written to a closed connection anyway.
    if (exchange.sse) exchange.sse.end()
    else exchange.settle('')
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.standalone?.stream.end()
    const open = new Set(this.exchanges.values())
    this.exchanges.clear()
    for (const exchange of open) {
      const errors = [...exchange.pending].map((id) => ({
        jsonrpc: '2.0' as const, id, error: { code: -32000, message: 'Session closed before the request completed' }
      }))
      exchange.pending.clear()
      if (exchange.sse) {
        for (const e of errors) exchange.sse.write(sseEvent(e))
        exchange.sse.end()
      } else {
        exchange.reply.type('application/json')
        const all = [...exchange.responses, ...errors]
        exchange.settle(JSON.stringify(exchange.batch ? all : all[0]))
      }
    }
    this.onclose?.()
  }
}
