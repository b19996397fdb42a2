// One SDK `Server` per MCP session, wired to the shared catalog. We use the low-level `Server`
// (marked deprecated in favour of McpServer) on purpose: McpServer wants every tool registered
// per instance and converts its schemas again on each tools/list, which is exactly the per-session
// cost this gateway avoids. Here a session costs one Server and a handful of handler closures.
import {
  CLIENT_CAPABILITIES_META_KEY, LOG_LEVEL_META_KEY,
  type CacheHint, type ClientCapabilities, type Server, type LoggingLevel, type ServerCapabilities, type ServerContext,
} from '@modelcontextprotocol/server'
import {
  CallToolRequestParamsSchema, CompleteRequestParamsSchema, GetPromptRequestParamsSchema, PaginatedRequestParamsSchema,
  ReadResourceRequestParamsSchema, SetLevelRequestParamsSchema, SubscribeRequestParamsSchema, UnsubscribeRequestParamsSchema,
} from '@modelcontextprotocol/core'
import type { Catalog, ToolContext } from './catalog.js'
import { callTool } from './tool-call.js'
import { handle } from './handle.js'
import { GatewayServer } from './sdk-internals.js'
import { getPrompt, readResource } from './prompts-resources.js'
import { complete } from './completion.js'
import { answersForms, Confirmations } from './confirmation.js'
import { sharedSchemaValidator } from './schema-validator.js'
import { SessionSubscriptions } from './subscriptions.js'
import { NAME, VERSION } from './version.js'
import type { SessionContext } from './session-context.js'

export type { SessionContext, ToolCallEvent, Logger } from './session-context.js'

export const SERVER_INFO: { name: string, version: string } = Object.freeze({ name: NAME, version: VERSION })

const CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: false },
  resources: { listChanged: false },
  prompts: { listChanged: false },
  completions: {},
  logging: {},
}
// Only when something publishes resource updates (a session with a GET stream to send them on).
const SUBSCRIBABLE: ServerCapabilities = { ...CAPABILITIES, resources: { subscribe: true, listChanged: false } }

// RFC 5424 order, as MCP uses it; a message is sent when it is at least the session's level.
const SEVERITY: Record<LoggingLevel, number> = {
  debug: 0, info: 1, notice: 2, warning: 3, error: 4, critical: 5, alert: 6, emergency: 7,
}

const EMPTY_RESOURCES = Object.freeze({ resources: [] })

/**
 * 2026-07-28 results carry cache hints. Lists depend on the caller's scopes, so only the caller
 * may keep them; they change only when the process restarts or the key file changes. An issue
 * read is live data: not cached. Hints are given only to modern servers: the SDK copies a result
 * to attach one, and 2025 answers would lose their serialised-once JSON (stable-json.ts).
 */
const CACHE_HINTS: Partial<Record<string, CacheHint>> = {
  'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
  'prompts/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/read': { ttlMs: 0, cacheScope: 'private' },
  'server/discover': { ttlMs: 60_000, cacheScope: 'private' },
}

/** The level a 2026 request asked for in its envelope; absent means no log notifications at all. */
function envelopeLevel (ctx: ServerContext): number | undefined {
  const level = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[LOG_LEVEL_META_KEY]
  return typeof level === 'string' && level in SEVERITY ? SEVERITY[level as LoggingLevel] : undefined
}

export type Era = 'legacy' | 'modern'

/** For servers built without the deployment's (tests): state sealed with it is good only in this process. */
const PROCESS_LOCAL = new Confirmations()

/**
 * `confirmations` seals what a confirmation asked (confirmation.ts); every server of a deployment
 * should share one key, so that a 2026 answer completes on any replica.
 */
export function createSessionServer (
  catalog: Catalog, ctx: SessionContext, era: Era = 'legacy', confirmations?: Confirmations,
): Server {
  const confirming = confirmations ?? PROCESS_LOCAL
  const server: Server = new GatewayServer(SERVER_INFO, {
    capabilities: ctx.subscriptions === true ? SUBSCRIBABLE : CAPABILITIES,
    instructions: catalog.instructions,
    jsonSchemaValidator: sharedSchemaValidator,
    requestState: { verify: confirming.verify },
    ...(era === 'modern' && { cacheHints: CACHE_HINTS }),
  })
  // What the client said it can do: a 2026 request says it in its envelope; a 2025 session said it
  // at initialize (a stateless 2025 server never saw an initialize, so it holds nothing).
  const declared = (extra: ServerContext): ClientCapabilities | undefined => era === 'modern'
    ? (extra.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined)?.[CLIENT_CAPABILITIES_META_KEY]
    : server.getClientCapabilities()
  // 2025 era: until the client says otherwise, send info and above (the spec lets the server choose).
  let minSeverity = SEVERITY.info
  const access = ctx.access

  // handle(): malformed requests get InvalidParams and one short line (see handle.ts).
  handle(server, 'logging/setLevel', SetLevelRequestParamsSchema, (params) => {
    minSeverity = SEVERITY[params.level]
    return {}
  })
  handle(server, 'tools/list', PaginatedRequestParamsSchema, () => catalog.toolsList(access))
  handle(server, 'tools/call', CallToolRequestParamsSchema, (params, extra) => {
    const token = extra.mcpReq._meta?.progressToken
    // A 2026 request gets log notifications only when it asks for them, at the level it names.
    const threshold = era === 'modern' ? envelopeLevel(extra) : minSeverity
    const toolCtx: ToolContext = {
      access,
      signal: extra.mcpReq.signal,
      tracksProgress: token !== undefined,
      // Both go out as related notifications, i.e. on this request's own response stream.
      progress: token === undefined
        ? async () => {}
        : (progress, total, message) => extra.mcpReq.notify({
            method: 'notifications/progress', params: { progressToken: token, progress, total, message },
          }),
      log: async (level, message) => {
        if (threshold === undefined || SEVERITY[level] < threshold) return
        await extra.mcpReq.notify({ method: 'notifications/message', params: { level, logger: catalog.logger, data: message } })
      },
    }
    // Only a client that can answer is asked; any other gets the call run unasked, as before
    // confirmations existed (the SDK would refuse the question with -32021 or an error result).
    const ask = answersForms(declared(extra)) ? confirming.askFor(extra) : undefined
    return callTool(catalog, params.name, params.arguments, ctx, toolCtx, ask)
  })
  handle(server, 'prompts/list', PaginatedRequestParamsSchema, () => catalog.promptsList(access))
  handle(server, 'prompts/get', GetPromptRequestParamsSchema, (params, extra) =>
    getPrompt(catalog, params.name, params.arguments, { access, signal: extra.mcpReq.signal }))
  handle(server, 'resources/list', PaginatedRequestParamsSchema, () => EMPTY_RESOURCES)
  handle(server, 'resources/templates/list', PaginatedRequestParamsSchema, () => catalog.templatesList(access))
  handle(server, 'resources/read', ReadResourceRequestParamsSchema, (params, extra) =>
    readResource(catalog, params.uri, { access, signal: extra.mcpReq.signal }))
  handle(server, 'completion/complete', CompleteRequestParamsSchema, (params, extra) =>
    complete(catalog, params, { access, signal: extra.mcpReq.signal }, ctx.logger))
  // 2026 requests subscribe with subscriptions/listen, which the SDK's entry answers (modern.ts).
  if (ctx.subscriptions === true && era === 'legacy') subscribable(server, catalog, ctx)
  return server
}

function subscribable (server: Server, catalog: Catalog, ctx: SessionContext): void {
  // No related request: the transport sends it on the GET stream, or drops it without one.
  const subscriptions = new SessionSubscriptions(catalog, ctx.access, (uri) => {
    server.sendResourceUpdated({ uri }).catch((error: unknown) => ctx.logger.debug({ err: error }, 'resource update not sent'))
  })
  handle(server, 'resources/subscribe', SubscribeRequestParamsSchema, (params) => {
    subscriptions.subscribe(params.uri)
    return {}
  })
  handle(server, 'resources/unsubscribe', UnsubscribeRequestParamsSchema, (params) => {
    subscriptions.unsubscribe(params.uri)
    return {}
  })
  // Subscriptions end with the session, however it ends (DELETE, expiry, shutdown, a transport error).
  server.onclose = () => subscriptions.clear()
}
