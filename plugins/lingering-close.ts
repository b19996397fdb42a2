import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

export interface LingerBounds {
  /** Request bytes read and discarded after the answer before the socket is cut. */
  maxBytes: number
  /** Time after the answer before the socket is cut. */
  maxMs: number
}

// Discarding a large body costs the bandwidth it takes, never memory; a client that reads its
// answer stops sending at once, so these bounds only matter for clients that never read.
const DEFAULTS: LingerBounds = { maxBytes: 16 * 1024 * 1024, maxMs: 5000 }

/**
 * Lingering close, as nginx does it. A request refused before its body was read (413 above all:
 * Fastify answers `Connection: close` without reading on) leaves the client still sending. Node
 * ends such a response by destroying the socket as soon as the answer is written; request bytes
 * that then arrive make the kernel send RST, and a client still writing gets EPIPE instead of
 * ever reading its 413. So for those responses the socket's write side is half-closed after the
 * answer, the rest of the body is read and discarded, and the socket is destroyed when the client
 * closes its side, or past the byte or time bound.
 */
async function lingeringClose (app: FastifyInstance, opts: Partial<LingerBounds>) {
  const bounds = { ...DEFAULTS, ...opts }
  app.addHook('onSend', async (request, reply) => {
    // Only responses that close the connection while the body is still arriving.
    if (request.raw.complete || reply.getHeader('connection') !== 'close') return
    lingerOnClose(request.raw.socket, request.raw, bounds)
  })
}

/**
 * Replaces this one socket's destroySoon(), the call Node makes when a `Connection: close`
 * response has been handed to the socket, with: end (FIN after the answer), discard, destroy.
 */
export function lingerOnClose (socket: Socket, body: NodeJS.ReadableStream, bounds: LingerBounds): void {
  socket.destroySoon = function destroySoon (this: Socket) {
    let seen = 0
    const cut = () => { clearTimeout(timer); this.destroy() }
    const timer = setTimeout(cut, bounds.maxMs).unref()
    // Node resumed the request stream (dumped) before this call; counting its data bounds the bytes.
    body.on('data', (chunk: Buffer) => { seen += chunk.length; if (seen > bounds.maxBytes) cut() })
    this.once('end', cut) // the client closed its side: it has read what it wanted
    this.once('close', () => clearTimeout(timer))
    this.end()
    this.resume()
  }
}

export default fp(lingeringClose, { name: 'lingering-close' })
