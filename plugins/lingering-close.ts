import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

interface LingerBounds {
  /** Request bytes read and discarded after the answer before the socket is cut. */
  maxBytes: number
  /** Time after the answer before the socket is cut. */
  maxMs: number
}

// Discarding a large body costs the bandwidth it takes, never memory; a client that reads its
// answer stops sending at once, so these bounds only matter for clients that never read.
const DEFAULTS: LingerBounds = { maxBytes: 16 * 1024 * 1024, maxMs: 5000 }
// How often the discarded bytes are checked against maxBytes.
const METER_MS = 50

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
    lingerOnClose(request.raw.socket, bounds)
  })
}

/**
 * Replaces this one socket's destroySoon(), the call Node makes when a `Connection: close`
 * response has been handed to the socket, with: end (FIN after the answer), discard, destroy.
 */
function lingerOnClose (socket: Socket, bounds: LingerBounds): void {
  socket.destroySoon = function destroySoon (this: Socket) {
    // The HTTP parser reads the socket natively (no 'data' events, and the request stream is
    // detached once answered), so the discarded bytes are counted on the socket itself.
    const start = this.bytesRead
    const cut = () => { clearTimeout(timer); clearInterval(meter); this.destroy() }
    const timer = setTimeout(cut, bounds.maxMs).unref()
    const meter = setInterval(() => { if (this.bytesRead - start > bounds.maxBytes) cut() }, METER_MS).unref()
    this.once('end', cut) // the client closed its side: it has read what it wanted
    this.once('close', () => { clearTimeout(timer); clearInterval(meter) })
    this.end()
    this.resume()
  }
}

export default fp(lingeringClose, { name: 'lingering-close' })
