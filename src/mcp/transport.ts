import type { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/server'
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/server'
import { PostExchange, type PostAnswer } from './post-exchange.js'
import { StandaloneStream } from './sse.js'

/**
 * A Fastify-native MCP Streamable HTTP server transport for one session (or one stateless request).
 *
 * Why not the SDK's StreamableHTTPServerTransport: it converts every request and response to
 * Web Request/Response objects and writes to the raw socket, bypassing Fastify's hooks. Here the
 * route has already validated headers, session and body; this class only routes JSON-RPC
 * messages between HTTP exchanges (post-exchange.ts) and the SDK `Server`, answering through
 * Fastify's reply.
 */

const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } =>
  'id' in m && ('result' in m || 'error' in m)
const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } =>
  'id' in m && 'method' in m
/** The id a `notifications/cancelled` message cancels, if it is one. */
const cancelledId = (m: JSONRPCMessage): RequestId | undefined =>
  'method' in m && m.method === 'notifications/cancelled' && !('id' in m)
    ? (m.params as { requestId?: RequestId } | undefined)?.requestId
    : undefined

export class FastifyTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void
  protocolVersion?: string
  private readonly exchanges = new Map<RequestId, PostExchange>()
  private standalone?: StandaloneStream
  private closed = false

  constructor (readonly sessionId?: string) {}

  async start (): Promise<void> {}

  setProtocolVersion (version: string): void { this.protocolVersion = version }

  /** Requests being answered or a GET stream open: the session is in use, not idle. */
  get busy (): boolean { return this.exchanges.size > 0 || this.standalone !== undefined }
  hasRequest (id: RequestId): boolean { return this.exchanges.has(id) }

  /**
   * Hands a POST's messages to the server. Resolves with what the route returns: the JSON
   * body (text, or bytes for a stable result), an SSE stream, or null when the POST held only notifications/responses (→ 202).
   */
  dispatch (reply: FastifyReply, messages: JSONRPCMessage[], batch: boolean, extra: MessageExtraInfo): Promise<PostAnswer | null> {
    const requests = messages.filter(isRequest)
    if (requests.length === 0) {
      this.deliver(messages, extra)
      return Promise.resolve(null)
    }
    return new Promise((resolve) => {
      const exchange = new PostExchange(reply, batch, resolve)
      for (const r of requests) {
        exchange.pending.add(r.id)
        this.exchanges.set(r.id, exchange)
      }
      // A client that goes away mid-call cancels its requests, so upstream work stops too.
      reply.raw.once('close', () => exchange.abandon((requestId) => {
        this.exchanges.delete(requestId)
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'client disconnected' } })
      }))
      this.deliver(messages, extra)
    })
  }

  /**
   * Passes messages to the server. A cancelled request gets no response from the SDK (as the
   * spec says), so its exchange is finished here, or its POST would stay open for ever.
   */
  private deliver (messages: JSONRPCMessage[], extra: MessageExtraInfo): void {
    for (const m of messages) {
      this.onmessage?.(m, extra)
      const id = cancelledId(m)
      const exchange = id === undefined ? undefined : this.exchanges.get(id)
      if (id === undefined || exchange === undefined) continue
      this.exchanges.delete(id)
      exchange.cancelled(id)
    }
  }

  /** Opens the session's standalone GET stream; null when one is already open (→ 409). */
  openStandalone (reply: FastifyReply): PassThrough | null {
    if (this.standalone || this.closed) return null
    const standalone: StandaloneStream = new StandaloneStream(reply, () => {
      if (this.standalone === standalone) this.standalone = undefined
    })
    this.standalone = standalone
    return standalone.stream
  }

  /** Ends the GET stream (shutdown: it would otherwise hold its connection open forever). */
  endStandalone (): void {
    this.standalone?.end()
  }

  async send (message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const id = isResponse(message) ? message.id : options?.relatedRequestId
    const exchange = id === undefined ? undefined : this.exchanges.get(id)
    if (!exchange) {
      // Unrelated server-to-client traffic goes on the GET stream; without one it is dropped,
      // as the spec allows. Late messages for a finished request are dropped too.
      if (id === undefined) this.standalone?.send(message)
      return
    }
    if (!isResponse(message)) return exchange.sendRelated(message)
    this.exchanges.delete(message.id)
    exchange.answer(message.id, message)
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.standalone?.end()
    // Unanswered requests get an error through the normal path, which also ends each exchange.
    for (const id of [...this.exchanges.keys()]) {
      void this.send({ jsonrpc: '2.0', id, error: { code: -32000, message: 'Session closed before the request completed' } })
    }
    this.onclose?.()
  }
}
