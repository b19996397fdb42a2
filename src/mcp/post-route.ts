// POST /mcp: a 2026-07-28 request goes to the SDK's per-request entry (modern.ts); a 2025 one (one
// JSON-RPC message, or a pre-2025-06-18 batch) is checked, then handed to the caller's session,
// to a new session (initialize), or to a throwaway server (stateless mode).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import type { PassThrough } from 'node:stream'
import { acceptsPostAnswers, batchingAllowed, hasDuplicateIds, isInitialize, parseMessages, rpcError, shapeProblem } from './http.js'
import { classify, sendRefusal } from './modern.js'
import { findSession, refusedVersion, type RouteContext } from './route-checks.js'

type Answer = string | Buffer | PassThrough | FastifyReply

/** The messages to dispatch, or undefined with the reply sent. */
function checkedMessages (ctx: RouteContext, request: FastifyRequest, reply: FastifyReply) {
  const parsed = parseMessages(request.body)
  if (!parsed.ok) {
    rpcError(reply, 400, -32600, parsed.message)
    return undefined
  }
  const { messages, batch } = parsed
  for (const m of messages) if ('method' in m) ctx.onMessage?.(m.method)
  let problem: string | undefined
  // MCP 2025-06-18 removed JSON-RPC batching; refusing it also keeps one HTTP request (one unit
  // of the rate limit) from carrying a hundred tool calls.
  if (batch && !batchingAllowed(request.headers['mcp-protocol-version'])) problem = 'batches are not supported in MCP protocol version 2025-06-18 and later'
  else if (hasDuplicateIds(messages)) problem = 'two requests in one batch share an id'
  else if (messages.some(isInitialize) && messages.length > 1) problem = 'initialize must be sent alone'
  if (problem !== undefined) {
    rpcError(reply, 400, -32600, `Invalid Request: ${problem}`)
    return undefined
  }
  return { messages, batch, initializing: messages.some(isInitialize) }
}

async function stateless (ctx: RouteContext, request: FastifyRequest, reply: FastifyReply, messages: JSONRPCMessage[], batch: boolean): Promise<Answer> {
  const { server, transport } = await ctx.admission.connect(ctx.callerOf(request))
  // Close the throwaway server when the response ends (a stream outlives this handler);
  // listening first, so a client gone before the answer still releases it.
  reply.raw.once('close', () => { void server.close() })
  const out = await transport.dispatch(reply, messages, batch, {})
  return out === null ? reply.code(202).send() : out
}

async function initialize (ctx: RouteContext, request: FastifyRequest, reply: FastifyReply, messages: JSONRPCMessage[], batch: boolean): Promise<Answer> {
  const caller = ctx.callerOf(request)
  const refusal = ctx.admission.refusal(caller)
  if (refusal !== null) return rpcError(reply.header('retry-after', String(refusal.retryAfter)), refusal.status, -32000, refusal.message)
  const session = await ctx.admission.open(caller)
  reply.header('mcp-session-id', session.id)
  const out = await session.transport.dispatch(reply, messages, batch, {})
  // A refused initialize leaves no session behind, and must not name one.
  if (!ctx.admission.settle(session)) reply.removeHeader('mcp-session-id')
  return out ?? reply.code(202).send()
}

async function inSession (ctx: RouteContext, request: FastifyRequest, reply: FastifyReply, messages: JSONRPCMessage[], batch: boolean): Promise<Answer> {
  const session = findSession(ctx, request, reply)
  if (!session) return reply
  reply.header('mcp-session-id', session.id)
  const duplicate = messages.find((m) => 'id' in m && 'method' in m && session.transport.hasRequest(m.id))
  if (duplicate) return rpcError(reply, 400, -32600, 'Invalid Request: a request with this id is already in progress')
  const out = await session.transport.dispatch(reply, messages, batch, {})
  return out === null ? reply.code(202).send() : out
}

export function postRoute (ctx: RouteContext) {
  return async function post (request: FastifyRequest, reply: FastifyReply): Promise<Answer> {
    if (!acceptsPostAnswers(request.headers.accept)) {
      return rpcError(reply, 406, -32000, 'Not Acceptable: Accept must list application/json and text/event-stream')
    }
    // The era is read from the body: a request carrying the 2026 `_meta` envelope is served by
    // the SDK's per-request entry (modern.ts); anything else (initialize, sessions) is 2025.
    const era = classify(request)
    if (era.kind !== 'legacy') {
      const problem = shapeProblem(request.body)
      if (problem !== undefined) return rpcError(reply, 400, -32600, `Invalid Request: ${problem}`)
      if (era.kind === 'reject') return sendRefusal(reply, era, request.body)
      if (era.kind === 'unchecked') {
        ctx.onMessage?.(era.method)
        return ctx.modern.serve(request, reply, ctx.callerOf(request), undefined)
      }
      ctx.onMessage?.(era.message.method)
      return ctx.modern.serve(request, reply, ctx.callerOf(request), era)
    }
    const checked = checkedMessages(ctx, request, reply)
    if (checked === undefined) return reply
    const { messages, batch, initializing } = checked
    if (!initializing && refusedVersion(request, reply)) return reply
    if (ctx.stateless) return stateless(ctx, request, reply, messages, batch)
    if (initializing) return initialize(ctx, request, reply, messages, batch)
    return inSession(ctx, request, reply, messages, batch)
  }
}
