import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createSessionServer, type ToolCallEvent } from '../src/mcp/session-server.js'
import { FastifyTransport } from '../src/mcp/transport.js'
import { routeDirectly } from '../src/mcp/sdk-internals.js'
import { accepts, acceptsPostAnswers, batchingAllowed, hasDuplicateIds, isInitialize, parseMessages, rpcError, unsupportedVersion } from '../src/mcp/http.js'
import type { Session } from '../src/mcp/session-store.js'
import { methodLabel } from './metrics.js'

/**
 * MCP Streamable HTTP routes. Runs after the Host, Origin, API-key and rate-limit hooks of its
 * scope, so `request.apiKey` is set here. Stateful mode keeps sessions in `app.sessions`;
 * stateless mode (MCP_STATELESS) builds a throwaway server per POST so any replica can answer.
 */
export default async function mcp (app: FastifyInstance) {
  const { MCP_STATELESS: stateless, BODY_LIMIT_BYTES: bodyLimit } = app.config
  const { catalog } = app.github
  const store = app.sessions

  // Only JSON bodies: anything else is 415 (Fastify's own text/plain parser would let it in).
  // An empty body is fine on GET/DELETE even when a client library labels it JSON.
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method !== 'POST') return done(null, undefined)
    json(request, body as string, done)
  })

  const { toolCalls, toolDuration } = app.metrics
  const onToolCall = (e: ToolCallEvent) => {
    toolCalls.inc({ tool: e.tool, outcome: e.outcome })
    toolDuration.observe({ tool: e.tool }, e.durationMs / 1000)
  }

  async function connect (request: FastifyRequest, sessionId?: string) {
    const key = request.apiKey!
    const transport = new FastifyTransport(sessionId)
    // The audit line ('tool call') carries the key name itself; the child adds the session.
    const logger = sessionId ? app.log.child({ sessionId }) : app.log
    const server = createSessionServer(catalog, { keyName: key.name, access: key.access, logger, onToolCall })
    await server.connect(transport)
    routeDirectly(server, transport)
    return { server, transport }
  }

  /** The caller's session, or the reply already sent (400 without id, 404 unknown/other key's). */
  function findSession (request: FastifyRequest, reply: FastifyReply): Session | undefined {
    const id = request.headers['mcp-session-id']
    if (typeof id !== 'string' || id === '') {
      rpcError(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
      return undefined
    }
    const session = store.get(id, request.apiKey!.id)
    if (!session) rpcError(reply, 404, -32001, 'Session not found')
    return session
  }

  function versionError (request: FastifyRequest, reply: FastifyReply): boolean {
    const problem = unsupportedVersion(request.headers['mcp-protocol-version'])
    if (problem) rpcError(reply, 400, -32000, `Bad Request: ${problem}`)
    return problem !== undefined
  }

  app.post('/mcp', { bodyLimit }, async (request, reply) => {
    if (!acceptsPostAnswers(request.headers.accept)) {
      return rpcError(reply, 406, -32000, 'Not Acceptable: Accept must list application/json and text/event-stream')
    }
    const parsed = parseMessages(request.body)
    if (!parsed.ok) return rpcError(reply, 400, -32600, parsed.message)
    const { messages, batch } = parsed
    for (const m of messages) if ('method' in m) app.metrics.mcpRequests.inc({ method: methodLabel(m.method) })
    if (batch && !batchingAllowed(request.headers['mcp-protocol-version'])) {
      // MCP 2025-06-18 removed JSON-RPC batching; refusing it also keeps one HTTP request (one
      // unit of the rate limit) from carrying a hundred tool calls.
      return rpcError(reply, 400, -32600, 'Invalid Request: batches are not supported in MCP protocol version 2025-06-18 and later')
    }
    if (hasDuplicateIds(messages)) return rpcError(reply, 400, -32600, 'Invalid Request: two requests in one batch share an id')
    const initializing = messages.some(isInitialize)
    if (initializing && messages.length > 1) {
      return rpcError(reply, 400, -32600, 'Invalid Request: initialize must be sent alone')
    }
    if (!initializing && versionError(request, reply)) return reply

    if (stateless) {
      const { server, transport } = await connect(request)
      // Close the throwaway server when the response ends (a stream outlives this handler);
      // listening first, so a client gone before the answer still releases it.
      reply.raw.once('close', () => { void server.close() })
      const out = await transport.dispatch(reply, messages, batch, {})
      return out === null ? reply.code(202).send() : out
    }

    if (initializing) {
      if (app.lifecycle.shuttingDown) return rpcError(reply.header('retry-after', '5'), 503, -32000, 'Server is shutting down')
      const key = request.apiKey!
      const admission = store.admit(key.id)
      if (admission !== 'ok') app.metrics.rateLimited.inc({ reason: 'sessions' })
      if (admission === 'full') return rpcError(reply.header('retry-after', '30'), 503, -32000, 'Too many open sessions on this server; retry later')
      if (admission === 'key_full') return rpcError(reply.header('retry-after', '30'), 429, -32000, 'Too many open sessions for this API key; close some (DELETE /mcp) or retry later')
      const id = randomUUID()
      const { server, transport } = await connect(request, id)
      store.add({ id, keyId: key.id, server, transport, lastSeen: Date.now() })
      reply.header('mcp-session-id', id)
      const out = await transport.dispatch(reply, messages, batch, {})
      // A refused initialize (bad params) must not leave a session behind, nor name one.
      if (server.getClientVersion() === undefined) {
        void store.close(id)
        reply.removeHeader('mcp-session-id')
      }
      return out
    }

    const session = findSession(request, reply)
    if (!session) return reply
    reply.header('mcp-session-id', session.id)
    const duplicate = messages.find((m) => 'id' in m && 'method' in m && session.transport.hasRequest(m.id))
    if (duplicate) return rpcError(reply, 400, -32600, 'Invalid Request: a request with this id is already in progress')
    const out = await session.transport.dispatch(reply, messages, batch, {})
    return out === null ? reply.code(202).send() : out
  })

  app.get('/mcp', { bodyLimit }, async (request, reply) => {
    if (stateless) return methodNotAllowed(reply)
    if (!accepts(request.headers.accept, 'text/event-stream')) {
      return rpcError(reply, 406, -32000, 'Not Acceptable: Accept must list text/event-stream')
    }
    const session = findSession(request, reply)
    if (!session || versionError(request, reply)) return reply
    const stream = session.transport.openStandalone(reply)
    if (!stream) return rpcError(reply, 409, -32000, 'Conflict: this session already has an open GET stream')
    return reply.header('mcp-session-id', session.id).send(stream)
  })

  app.delete('/mcp', { bodyLimit }, async (request, reply) => {
    if (stateless) return methodNotAllowed(reply)
    const session = findSession(request, reply)
    if (!session || versionError(request, reply)) return reply
    await store.close(session.id)
    return reply.code(204).send()
  })
}

function methodNotAllowed (reply: FastifyReply) {
  return rpcError(reply.header('allow', 'POST'), 405, -32000, 'Method not allowed: this server is stateless (no sessions, no GET stream)')
}
