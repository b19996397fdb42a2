// Variant B of the handler experiment (docs/benchmarks.md, "Which HTTP handler serves which era,
// and why"): the gateway with its /mcp routes (plugins/mcp.ts: our transport for 2025, our
// hand-off to the SDK for 2026) replaced by the SDK's own per-request entry, mounted as the SDK
// docs show (docs/serving/fastify.md): `toNodeHandler(createMcpHandler(factory))` on one route,
// in its default `legacy: 'stateless'` posture, so it serves both eras. Everything else is the
// gateway's: the same plugin tree in the same order (app.ts), so the same guards (Host, Origin,
// API key, rate limit) run in front, the same GitHub domain and catalog, and the same session
// server factory (createSessionServer, in the era the SDK names). Only the handler differs.
import fp from 'fastify-plugin'
import Fastify, { type FastifyInstance } from 'fastify'
import { toNodeHandler } from '@modelcontextprotocol/node'
import { createMcpHandler, type AuthInfo } from '@modelcontextprotocol/server'
import env from '../../plugins/env.js'
import scopeChallenge from '../../plugins/scope-challenge.js'
import { proxyTrust } from '../../src/config.js'
import timeouts from '../../plugins/timeouts.js'
import lifecycle from '../../plugins/lifecycle.js'
import errors from '../../plugins/errors.js'
import lingeringClose from '../../plugins/lingering-close.js'
import metrics, { methodLabel } from '../../plugins/metrics.js'
import github from '../../plugins/github.js'
import sessions from '../../plugins/sessions.js'
import health from '../../plugins/health.js'
import oauthDiscovery from '../../plugins/oauth-discovery.js'
import oauth from '../../plugins/oauth.js'
import hosts from '../../plugins/hosts.js'
import cors from '../../plugins/cors.js'
import auth, { authKeys } from '../../plugins/auth.js'
import rateLimit, { rateLimitStore } from '../../plugins/rate-limit.js'
import webhooks from '../../plugins/webhooks.js'
import { createSessionServer } from '../../src/mcp/session-server.js'
import type { Caller } from '../../src/mcp/session-context.js'

/** The SDK's handler where plugins/mcp.ts would be: one route, every method, both eras. */
async function sdkHandler (app: FastifyInstance) {
  const { metrics: m } = app
  // The caller the guards established travels as authInfo, as src/mcp/modern.ts passes it.
  const callers = new WeakMap<AuthInfo, Caller>()
  const handler = createMcpHandler(({ era, authInfo }) => {
    const caller = authInfo === undefined ? undefined : callers.get(authInfo)
    if (caller === undefined) throw new Error('an MCP request reached the SDK handler without a caller')
    // What SessionAdmission gives a stateless 2025 server and a 2026 one. No resource
    // subscriptions: the experiment runs without webhooks, and a 2025 server here has no GET stream.
    return createSessionServer(app.github.catalog, {
      keyName: caller.name,
      keyId: caller.id,
      access: caller.access,
      logger: app.log,
      onToolCall: (e) => {
        m.toolCalls.inc({ tool: e.tool, outcome: e.outcome })
        if (e.shared) m.sharedToolCalls.inc({ tool: e.tool })
        m.toolDuration.observe({ tool: e.tool }, e.durationMs / 1000)
      },
    }, era)
  }, { onerror: (error) => app.log.debug({ err: error }, 'MCP request refused or failed (SDK handler)') })
  app.addHook('preClose', async () => { await handler.close() })

  const node = toNodeHandler(handler)
  app.all('/mcp', { bodyLimit: app.config.BODY_LIMIT_BYTES }, (request, reply) => {
    if (request.apiKey === null) throw new Error('/mcp ran before authentication')
    const body = request.body as { method?: unknown } | undefined
    if (typeof body?.method === 'string') m.mcpRequests.inc({ method: methodLabel(body.method) })
    const authInfo: AuthInfo = { token: '', clientId: request.apiKey.id, scopes: [] }
    callers.set(authInfo, request.apiKey)
    return node(Object.assign(request.raw, { auth: authInfo }), reply.raw, request.body)
  })
}

/** src/app.ts's tree, in its order, with `sdkHandler` where `mcp` is registered. */
async function app (fastify: FastifyInstance, opts: { env: Record<string, string | undefined> }) {
  await fastify.register(env, { env: opts.env })
  fastify.log.level = fastify.config.LOG_LEVEL
  await fastify.register(timeouts)
  await fastify.register(lifecycle)
  await fastify.register(errors)
  await fastify.register(lingeringClose)
  await fastify.register(metrics)
  await fastify.register(github)
  await fastify.register(sessions)
  await fastify.register(authKeys)
  await fastify.register(rateLimitStore)
  await fastify.register(health)
  await fastify.register(oauthDiscovery)
  await fastify.register(webhooks)
  await fastify.register(oauth)

  await fastify.register(async function mcpScope (api) {
    await api.register(hosts)
    await api.register(cors)
    await api.register(auth)
    await api.register(rateLimit)
    await api.register(scopeChallenge)
    await api.register(fp(sdkHandler, { name: 'sdk-handler', encapsulate: true }))
  })
}

/** As src/app.ts's buildApp: the same Fastify options, readied. */
export async function buildSdkHandlerApp (opts: { env: Record<string, string | undefined>, logger?: boolean | { level: string } }): Promise<FastifyInstance> {
  let trust: ((hop: number) => boolean) | undefined
  let instance: FastifyInstance | undefined
  const fastify: FastifyInstance = Fastify({
    logger: opts.logger ?? false,
    genReqId: () => crypto.randomUUID(),
    trustProxy: (_address: string, hop: number) => (trust ??= proxyTrust(instance!.config.TRUST_PROXY))(hop),
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true }
  })
  instance = fastify
  await fastify.register(fp(app), { env: opts.env })
  await fastify.ready()
  return fastify
}
