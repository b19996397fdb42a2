import fp from 'fastify-plugin'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import env from '../plugins/env.js'
import { proxyTrust } from './config.js'
import timeouts from '../plugins/timeouts.js'
import lifecycle from '../plugins/lifecycle.js'
import errors from '../plugins/errors.js'
import lingeringClose from '../plugins/lingering-close.js'
import metrics from '../plugins/metrics.js'
import github from '../plugins/github.js'
import sessions from '../plugins/sessions.js'
import health from '../plugins/health.js'
import oauthDiscovery from '../plugins/oauth-discovery.js'
import oauth from '../plugins/oauth.js'
import hosts from '../plugins/hosts.js'
import cors from '../plugins/cors.js'
import auth, { authKeys } from '../plugins/auth.js'
import rateLimit, { rateLimitStore } from '../plugins/rate-limit.js'
import scopeChallenge from '../plugins/scope-challenge.js'
import mcp from '../plugins/mcp.js'
import webhooks from '../plugins/webhooks.js'

export interface AppOptions {
  /** Environment to validate: `process.env` in production, a literal object in tests. */
  env: Record<string, string | undefined>
}

/**
 * The whole gateway as one plugin tree, in a fixed, visible order.
 * Root level: config and process-wide state (shutdown, errors, metrics, GitHub client, sessions,
 * health, the OAuth-discovery answers).
 * The `/mcp` scope adds the HTTP guards (Host, CORS/Origin, API key, rate limit, scope challenge)
 * before the MCP routes, so probes, metrics and OAuth discovery are never authenticated or limited by
 * construction.
 */
export default async function app (fastify: FastifyInstance, opts: AppOptions) {
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
  // Outside the /mcp scope: GitHub's signature is its credential, not an API key.
  await fastify.register(webhooks)
  await fastify.register(oauth)

  await fastify.register(async function mcpScope (api) {
    await api.register(hosts)
    await api.register(cors)
    await api.register(auth)
    await api.register(rateLimit)
    // Reads the parsed body: a tool call the OAuth token's scopes do not allow is a 403 step-up.
    await api.register(scopeChallenge)
    await api.register(mcp)
  })
}

/** Creates and readies the app. Tests and the process entry both use this, never each other. */
export async function buildApp (opts: AppOptions & { logger?: FastifyServerOptions['logger'] }): Promise<FastifyInstance> {
  let trust: ((hop: number) => boolean) | undefined
  let instance: FastifyInstance | undefined
  const fastify: FastifyInstance = Fastify({
    logger: opts.logger ?? false,
    genReqId: () => crypto.randomUUID(),
    // Fastify options are fixed before config is validated, so trust in X-Forwarded-For reads
    // TRUST_PROXY when a request arrives rather than at construction.
    trustProxy: (_address: string, hop: number) => (trust ??= proxyTrust(instance!.config.TRUST_PROXY))(hop),
    // Sockets are drained by plugins/lifecycle.ts; idle keep-alive ones close at once.
    // Socket timeouts come from config (plugins/timeouts.ts).
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true }
  })
  instance = fastify
  // fp: the app's decorations (config, sessions, lifecycle …) are visible on the returned instance.
  await fastify.register(fp(app), { env: opts.env })
  await fastify.ready()
  return fastify
}
