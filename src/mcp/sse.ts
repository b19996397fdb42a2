import { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { messageJson } from './stable-json.js'

// Server-Sent Events for the Streamable HTTP transport: headers, event framing, and the
// session's standalone GET stream with its keep-alive comments.

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no' // nginx: do not buffer the stream
}
// Below common proxy idle timeouts (60 s), so an idle GET stream is not cut by a middlebox.
const KEEPALIVE_MS = 25_000

export function sseEvent (message: JSONRPCMessage): string {
  return `event: message\ndata: ${messageJson(message)}\n\n`
}

/** A standalone GET stream: keep-alive comments until it ends, `onEnd` once either side closes it. */
export class StandaloneStream {
  readonly stream = new PassThrough()
  private readonly timer: NodeJS.Timeout

  constructor (reply: FastifyReply, onEnd: () => void) {
    this.timer = setInterval(() => this.stream.write(': keepalive\n\n'), KEEPALIVE_MS).unref()
    reply.headers(SSE_HEADERS)
    const ended = () => { clearInterval(this.timer); onEnd() }
    reply.raw.once('close', ended)
    this.stream.once('close', ended)
    // Flush the headers at once, so the client knows the stream is open before any event.
    this.stream.write(': stream open\n\n')
  }

  send (message: JSONRPCMessage): void {
    this.stream.write(sseEvent(message))
  }

  end (): void {
    clearInterval(this.timer)
    this.stream.end()
  }
}
