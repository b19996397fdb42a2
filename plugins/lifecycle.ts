import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle
  }
}

export interface Lifecycle {
  /** True from the first shutdown signal (or app.close()) on: readiness answers 503, no new sessions. */
  readonly shuttingDown: boolean
  beginShutdown(): void
  /** Requests being served right now (streamed SSE responses included until they end). */
  readonly inFlight: number
}

// Shutdown state lives apart from health and MCP so both can read it without depending on each
// other. It also owns draining connections: server.close() waits for every socket, and Node only
// closes the ones idle at the moment it is called. A keep-alive socket whose response ends later
// (an SSE stream ended at shutdown, a long tool call), or one Node does not count as idle, would
// hold the close until keepAliveTimeout. So sockets are tracked with the number of responses open
// on them, and once closing, every socket with none open is ended (after its buffered writes).
async function lifecycle (app: FastifyInstance) {
  let shuttingDown = false
  let inFlight = 0
  const sockets = new Map<Socket, number>()
  let sweeper: NodeJS.Timeout | undefined
  const sweep = () => { for (const [socket, open] of sockets) if (open === 0) socket.end() }

  app.decorate('lifecycle', {
    get shuttingDown () { return shuttingDown },
    get inFlight () { return inFlight },
    beginShutdown () { shuttingDown = true }
  } satisfies Lifecycle)

  app.server.on('connection', (socket: Socket) => {
    sockets.set(socket, 0)
    socket.once('close', () => sockets.delete(socket))
  })
  app.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket
    inFlight++
    if (sockets.has(socket)) sockets.set(socket, sockets.get(socket)! + 1)
    // The response's 'close' fires once: completed, streamed-and-ended, or aborted by the client.
    reply.raw.once('close', () => {
      inFlight--
      if (sockets.has(socket)) sockets.set(socket, sockets.get(socket)! - 1)
      if (sweeper) sweep()
    })
  })
  // Responses sent while draining tell the client not to reuse the connection.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close')
  })
  app.addHook('preClose', async () => {
    shuttingDown = true
    sweep()
    sweeper = setInterval(sweep, 250).unref()
  })
  app.addHook('onClose', async () => { clearInterval(sweeper) })
}

export default fp(lifecycle, { name: 'lifecycle' })
