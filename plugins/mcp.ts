import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { SessionAdmission } from '../src/mcp/admission.js'
import { Confirmations } from '../src/mcp/confirmation.js'
import { ModernEra } from '../src/mcp/modern.js'
import type { RouteContext } from '../src/mcp/route-checks.js'
import { postRoute } from '../src/mcp/post-route.js'
import { getRoute } from '../src/mcp/get-route.js'
import { deleteRoute } from '../src/mcp/delete-route.js'
import { methodLabel } from './metrics.js'

/**
 * MCP Streamable HTTP routes. The dependencies below are checked when the app starts: the guards
 * (Host, Origin, API key, rate limit) must be registered first, in this scope, so that every
 * /mcp request meets them and `request.apiKey` is set here. Stateful mode keeps sessions in
 * `app.sessions`; stateless mode (MCP_STATELESS) builds a throwaway server per POST.
 */
async function mcp (app: FastifyInstance) {
  const { MCP_STATELESS: stateless, BODY_LIMIT_BYTES: bodyLimit } = app.config

  // Only JSON bodies: anything else is 415 (Fastify's own text/plain parser would let it in).
  // An empty body is fine on GET/DELETE even when a client library labels it JSON.
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method !== 'POST') return done(null, undefined)
    json(request, body as string, done)
  })

  const { metrics } = app
  // A 2026 client answers a confirmation on a later request, which any replica may receive: the
  // state that request echoes must be sealed with a key they all hold.
  const stateKey = app.config.REQUEST_STATE_KEY
  if (stateKey === undefined && app.config.NODE_ENV === 'production') {
    app.log.warn('REQUEST_STATE_KEY is not set: a confirmation a 2026-07-28 client answers completes only on the replica that asked it; set the same key on every replica')
  }
  const confirmations = new Confirmations(stateKey === undefined ? undefined : Buffer.from(stateKey, 'base64'))
  const admission = new SessionAdmission({
    store: app.sessions,
    catalog: app.github.catalog,
    logger: app.log,
    shuttingDown: () => app.lifecycle.shuttingDown,
    onToolCall: (e) => {
      metrics.toolCalls.inc({ tool: e.tool, outcome: e.outcome })
      if (e.shared) metrics.sharedToolCalls.inc({ tool: e.tool })
      metrics.toolDuration.observe({ tool: e.tool }, e.durationMs / 1000)
    },
    onFull: () => metrics.rateLimited.inc({ reason: 'sessions' }),
    // Resource updates come from GitHub's webhooks (plugins/webhooks.ts).
    subscriptions: app.hasDecorator('webhooks'),
    confirmations,
  })
  // MCP 2026-07-28: served per request by the SDK's entry, in stateful and stateless mode alike.
  const modern = new ModernEra({
    catalog: app.github.catalog,
    logger: app.log,
    serverFor: (caller, observe) => admission.modernServer(caller, observe),
    audit: (event) => admission.audit(event),
    maxListeners: app.config.MAX_SESSIONS,
  })
  // subscriptions/listen streams never finish by themselves: end them before the server waits
  // for in-flight requests (as sessions' GET streams are ended), or shutdown would hang.
  app.addHook('preClose', async () => { await modern.close() })
  const ctx: RouteContext = {
    store: app.sessions,
    admission,
    modern,
    stateless,
    callerOf: (request: FastifyRequest) => {
      if (request.apiKey === null) throw new Error('an /mcp route ran before authentication')
      return request.apiKey
    },
    onMessage: (method) => metrics.mcpRequests.inc({ method: methodLabel(method) }),
  }

  app.post('/mcp', { bodyLimit }, postRoute(ctx))
  app.get('/mcp', { bodyLimit }, getRoute(ctx))
  app.delete('/mcp', { bodyLimit }, deleteRoute(ctx))
}

// encapsulate: the JSON-only parser above stays inside the /mcp scope.
export default fp(mcp, {
  name: 'mcp',
  dependencies: ['env', 'errors', 'lifecycle', 'metrics', 'github', 'sessions', 'hosts', 'cors', 'auth', 'rate-limit'],
  encapsulate: true,
})
