import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { GitHubStats } from '../src/github/upstream/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ReturnType<typeof createMetrics>
  }
}

// Process metrics (CPU, memory, event loop, GC) are process-wide and start observers that
// cannot be stopped, so they are collected once per process, not once per app instance.
let processRegistry: Registry | undefined
function processMetrics (): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

const KNOWN_METHODS = new Set([
  'initialize', 'ping', 'tools/list', 'tools/call', 'resources/list', 'resources/templates/list',
  'resources/read', 'prompts/list', 'prompts/get', 'completion/complete', 'logging/setLevel',
  'notifications/initialized', 'notifications/cancelled', 'notifications/progress',
  'server/discover', 'subscriptions/listen',
])
/** Client-chosen method names would make label cardinality unbounded: fold unknown ones. */
export const methodLabel = (method: string) => KNOWN_METHODS.has(method) ? method : 'other'

export function createMetrics (registry: Registry) {
  const registers = [registry]
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
  return {
    registry,
    httpRequests: new Counter({ name: 'gateway_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'] as const, registers }),
    httpDuration: new Histogram({ name: 'gateway_http_request_duration_seconds', help: 'HTTP request duration (SSE streams: until the stream ends)', labelNames: ['route', 'method'] as const, buckets: seconds, registers }),
    mcpRequests: new Counter({ name: 'gateway_mcp_messages_total', help: 'JSON-RPC messages received on /mcp by method', labelNames: ['method'] as const, registers }),
    toolCalls: new Counter({ name: 'gateway_tool_calls_total', help: 'Tool calls by tool and outcome (ok, error, refused, declined)', labelNames: ['tool', 'outcome'] as const, registers }),
    sharedToolCalls: new Counter({ name: 'gateway_tool_calls_shared_total', help: 'Tool calls that joined an identical read-only call in flight (no run of their own)', labelNames: ['tool'] as const, registers }),
    toolDuration: new Histogram({ name: 'gateway_tool_call_duration_seconds', help: 'Tool call duration by tool', labelNames: ['tool'] as const, buckets: seconds, registers }),
    rateLimited: new Counter({ name: 'gateway_rate_limited_total', help: 'Requests refused with 429 by reason (key budget, auth failures, sessions)', labelNames: ['reason'] as const, registers }),
    authFailures: new Counter({ name: 'gateway_auth_failures_total', help: 'Failed authentications by reason (missing, invalid)', labelNames: ['reason'] as const, registers }),
    webhookDeliveries: new Counter({ name: 'gateway_webhook_deliveries_total', help: 'Webhook deliveries by event (the used ones and ping; others: other) and outcome (used, ignored, duplicate, unauthorized, invalid)', labelNames: ['event', 'outcome'] as const, registers }),
    activeSessions: new Gauge({ name: 'gateway_active_sessions', help: 'Open MCP sessions in this process', registers })
  }
}

/** Upstream figures live in the GitHub domain; these read them at scrape time. */
function githubMetrics (registry: Registry, stats: () => GitHubStats) {
  const registers = [registry]
  new Counter({
    name: 'gateway_github_requests_total', help: 'GitHub API responses by status (network: no response)', labelNames: ['status'] as const, registers,
    collect () { this.reset(); for (const [status, n] of stats().requests) this.inc({ status }, n) }
  })
  new Gauge({
    name: 'gateway_github_quota_remaining', help: 'GitHub core rate-limit quota left for the token (last response)', registers,
    collect () { const q = stats().quota; if (q) this.set(q.remaining) }
  })
  new Gauge({
    name: 'gateway_github_quota_reset_seconds', help: 'Unix time at which the GitHub core quota resets', registers,
    collect () { const q = stats().quota; if (q) this.set(q.resetEpochS) }
  })
  new Counter({
    name: 'gateway_github_coalesced_total', help: 'Reads that joined an identical read already in flight (no request of their own)', registers,
    collect () { this.reset(); this.inc(stats().coalesced) }
  })
  new Counter({
    name: 'gateway_github_searches_shared_total', help: 'Searches that joined an identical search waiting for the search budget or in flight', registers,
    collect () { this.reset(); this.inc(stats().searchesShared) }
  })
  new Counter({
    name: 'gateway_github_held_total', help: 'Calls answered locally while GitHub\'s quota was spent or GitHub asked for a pause (no request sent)', registers,
    collect () { this.reset(); this.inc(stats().held) }
  })
  new Counter({
    name: 'gateway_github_etag_hits_total', help: 'Reads answered by GitHub with 304 Not Modified (no quota spent)', registers,
    collect () { this.reset(); this.inc(stats().etagHits) }
  })
}

async function metrics (app: FastifyInstance) {
  const registry = new Registry()
  const m = createMetrics(registry)
  app.decorate('metrics', m)

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    m.httpRequests.inc({ route, method: request.method, status: reply.statusCode })
    m.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000)
  })

  // The GitHub plugin registers after this one; its stats exist by the time anything scrapes.
  githubMetrics(registry, () => app.github.stats())

  if (!app.config.METRICS_ENABLED) return
  const merged = Registry.merge([processMetrics(), registry])
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    // Gauges read live state at scrape time rather than being updated on every change.
    m.activeSessions.set(app.hasDecorator('sessions') ? app.sessions.size : 0)
    reply.type(merged.contentType)
    return merged.metrics()
  })
}

export default fp(metrics, { name: 'metrics', dependencies: ['env'] })
