import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { VERSION } from '../src/mcp/version.js'
import type { RateLimitStore } from './rate-limit.js'

// Probes: never authenticated, never rate limited (registered outside the /mcp scope).
// Readiness goes red only for shutdown. A Redis outage is reported but keeps readiness green:
// the gateway still serves (rate limits fail open), and pulling every replica out of the load
// balancer because a shared cache is down would turn a degraded service into an outage.

interface HealthBody {
  status: 'ok'
  uptime: number
  activeSessions: number
  version: string
  redis?: 'up' | 'down'
}

async function health (app: FastifyInstance) {
  // Decorated by the sessions and rate-limit-store plugins when registered at the root; read
  // defensively so this plugin stands alone.
  const activeSessions = () => app.hasDecorator('sessions') ? app.sessions.size : 0
  const redis = () => {
    if (!app.hasDecorator('rateLimitStore')) return undefined
    const store: RateLimitStore = app.rateLimitStore
    return store.kind === 'redis' ? store.status() as 'up' | 'down' : undefined
  }

  app.get('/health', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    if (app.lifecycle.shuttingDown) return reply.code(503).send({ status: 'shutting_down' })
    const body: HealthBody = {
      status: 'ok',
      uptime: Math.floor(process.uptime()),
      activeSessions: activeSessions(),
      version: VERSION
    }
    const redisStatus = redis()
    if (redisStatus !== undefined) body.redis = redisStatus
    return body
  })

  app.get('/health/live', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok' }
  })
}

export default fp(health, { name: 'health', dependencies: ['lifecycle'] })
