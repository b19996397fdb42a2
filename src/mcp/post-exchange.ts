import { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'
import { messageBody, messageJson } from './stable-json.js'
import { SSE_HEADERS, sseEvent } from './sse.js'

/** What the route returns for a POST: a JSON body (text, or bytes for a stable result) or an SSE stream. */
export type PostAnswer = string | Buffer | PassThrough

/**
 * One POST's requests and the HTTP answer they share. Answered with plain JSON when nothing but
 * the responses is sent (the common, cheapest case), and upgraded to an SSE stream the moment the
 * server sends a notification or request tied to one of them (progress, logging, elicitation).
 * The spec lets the server pick either content type; the choice is made before any byte is sent.
 */
export class PostExchange {
  readonly pending = new Set<RequestId>()
  private responses: JSONRPCMessage[] = []
  private sse?: PassThrough

  constructor (
    private readonly reply: FastifyReply,
    private readonly batch: boolean,
    private readonly settle: (answer: PostAnswer) => void,
  ) {}

  /** A notification or request tied to one of this POST's requests: it needs the stream. */
  sendRelated (message: JSONRPCMessage): void {
    this.upgrade().write(sseEvent(message))
  }

  /** The response to request `id`; the last one ends the HTTP answer. */
  answer (id: RequestId, message: JSONRPCMessage): void {
    this.pending.delete(id)
    if (this.sse) this.sse.write(sseEvent(message))
    else this.responses.push(message)
    if (this.pending.size === 0) this.finish()
  }

  /** Request `id` was cancelled: the SDK sends no response for it (as the spec says). */
  cancelled (id: RequestId): void {
    this.pending.delete(id)
    if (this.pending.size === 0) this.finish()
  }

  /** The HTTP exchange ended first: `cancel` each unanswered request, and let the route finish. */
  abandon (cancel: (id: RequestId) => void): void {
    if (this.pending.size === 0) return
    for (const id of this.pending) cancel(id)
    this.pending.clear()
    // Nothing can be written to a closed connection anyway.
    if (this.sse) this.sse.end()
    else this.settle('')
  }

  /** Every request is answered (or cancelled): end the HTTP response. */
  private finish (): void {
    if (this.sse) this.sse.end()
    else if (this.responses.length === 0) this.upgrade().end() // all cancelled: an empty stream
    else {
      this.reply.type('application/json; charset=utf-8')
      this.settle(this.batch ? `[${this.responses.map(messageJson).join(',')}]` : messageBody(this.responses[0]))
    }
  }

  private upgrade (): PassThrough {
    if (this.sse) return this.sse
    const sse = new PassThrough()
    this.sse = sse
    this.reply.headers(SSE_HEADERS)
    for (const earlier of this.responses) sse.write(sseEvent(earlier))
    this.responses = []
    this.settle(sse)
    return sse
  }
}
