import fp from 'fastify-plugin'
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
  /** Requests being served right now (hijacked SSE streams included until they end). */
  readonly inFlight: number
}

// Shutdown state lives apart from health and MCP so both can read it without depending on each other.
async function lifecycle (app: FastifyInstance) {
  let shuttingDown = false
  let inFlight = 0
  const state: Lifecycle = {
    get shuttingDown () { return shuttingDown },
    get inFlight () { return inFlight },
    beginShutdown () { shuttingDown = true }
  }
  app.decorate('lifecycle', state)
  app.addHook('onRequest', async (_request, reply) => {
    inFlight++
    // The response's 'close' fires once: completed, hijacked-and-ended, or aborted by the client.
    reply.raw.once('close', () => { inFlight-- })
  })
  // Keep-alive connections that finish a request while draining would otherwise stay open
  // until their idle timeout and hold server.close() (and the process) that long.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close')
  })
  app.addHook('preClose', async () => { shuttingDown = true })
}

export default fp(lifecycle, { name: 'lifecycle' })
