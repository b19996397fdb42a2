// One SDK `Server` per MCP session, wired to the shared catalog. We use the low-level `Server`
// (marked deprecated in favour of McpServer) on purpose: McpServer wants every tool registered
// per instance and converts its schemas again on each tools/list, which is exactly the per-session
// cost this gateway avoids. Here a session costs one Server and a handful of handler closures.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema, CompleteRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema,
  ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema,
  ReadResourceRequestSchema, SetLevelRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
  type LoggingLevel, type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js'
import type { Catalog, ToolContext } from './catalog.js'
import { callTool } from './tool-call.js'
import { handle } from './handle.js'
import { getPrompt, readResource } from './prompts-resources.js'
import { complete } from './completion.js'
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

export function createSessionServer (catalog: Catalog, ctx: SessionContext): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: ctx.subscriptions === true ? SUBSCRIBABLE : CAPABILITIES,
    instructions: catalog.instructions,
    jsonSchemaValidator: sharedSchemaValidator,
  })
  // Until the client says otherwise, send info and above (the spec lets the server choose).
  let minSeverity = SEVERITY.info
  const access = ctx.access

  // handle(): malformed requests get InvalidParams and one short line (see handle.ts).
  handle(server, SetLevelRequestSchema, (request) => {
    minSeverity = SEVERITY[request.params.level]
    return {}
  })
  handle(server, ListToolsRequestSchema, () => catalog.toolsList(access))
  handle(server, CallToolRequestSchema, (request, extra) => {
    const token = extra._meta?.progressToken
    const toolCtx: ToolContext = {
      access,
      signal: extra.signal,
      tracksProgress: token !== undefined,
      // Both go out through extra.sendNotification, i.e. on this request's own response stream.
      progress: token === undefined
        ? async () => {}
        : (progress, total, message) => extra.sendNotification({
            method: 'notifications/progress', params: { progressToken: token, progress, total, message },
          }),
      log: async (level, message) => {
        if (SEVERITY[level] < minSeverity) return
        await extra.sendNotification({ method: 'notifications/message', params: { level, logger: catalog.logger, data: message } })
      },
    }
    return callTool(catalog, request.params.name, request.params.arguments, ctx, toolCtx)
  })
  handle(server, ListPromptsRequestSchema, () => catalog.promptsList(access))
  handle(server, GetPromptRequestSchema, (request, extra) =>
    getPrompt(catalog, request.params.name, request.params.arguments, { access, signal: extra.signal }))
  handle(server, ListResourcesRequestSchema, () => EMPTY_RESOURCES)
  handle(server, ListResourceTemplatesRequestSchema, () => catalog.templatesList(access))
  handle(server, ReadResourceRequestSchema, (request, extra) =>
    readResource(catalog, request.params.uri, { access, signal: extra.signal }))
  handle(server, CompleteRequestSchema, (request, extra) =>
    complete(catalog, request.params, { access, signal: extra.signal }, ctx.logger))
  if (ctx.subscriptions === true) subscribable(server, catalog, ctx)
  return server
}

function subscribable (server: Server, catalog: Catalog, ctx: SessionContext): void {
  // No related request: the transport sends it on the GET stream, or drops it without one.
  const subscriptions = new SessionSubscriptions(catalog, ctx.access, (uri) => {
    server.sendResourceUpdated({ uri }).catch((error: unknown) => ctx.logger.debug({ err: error }, 'resource update not sent'))
  })
  handle(server, SubscribeRequestSchema, (request) => {
    subscriptions.subscribe(request.params.uri)
    return {}
  })
  handle(server, UnsubscribeRequestSchema, (request) => {
    subscriptions.unsubscribe(request.params.uri)
    return {}
  })
  // Subscriptions end with the session, however it ends (DELETE, expiry, shutdown, a transport error).
  server.onclose = () => subscriptions.clear()
}
