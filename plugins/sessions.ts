import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { SessionStore } from '../src/mcp/session-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore
  }
}

// Sessions live at the root so health and metrics can count them; the MCP routes use them.
async function sessions (app: FastifyInstance) {
  const store = new SessionStore(
    {
      idleTtlMs: app.config.SESSION_IDLE_TTL_MS,
      maxSessions: app.config.MAX_SESSIONS,
      maxPerKey: app.config.MAX_SESSIONS_PER_KEY
    },
    (s) => app.log.info({ sessionId: s.id, key: s.keyId }, 'session expired (idle)')
  )
  app.decorate('sessions', store)
  // preClose runs before the server stops listening and waits for in-flight requests:
  // GET streams never finish by themselves, so end them here or shutdown would hang.
  app.addHook('preClose', async () => { store.endStreams() })
  app.addHook('onClose', async () => { await store.closeAll() })
}

export default fp(sessions, { name: 'sessions', dependencies: ['env'] })
