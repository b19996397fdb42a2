// Wire helpers for the 2026-07-28 tests: the per-request `_meta` envelope, the standard headers
// (MCP-Protocol-Version, Mcp-Method, Mcp-Name), answers read as JSON or SSE, and the server under
// test: the gateway, or with ERA2026_TARGET=reference the SDK-built reference
// (era-2026-reference.ts) that proves a protocol test itself right.
import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { GitHubStandin } from '../../sandbox/github-standin.js'
import { build, standin, sseMessages, KEY_A, MCP_HEADERS, type TestContext } from '../helper.js'
import { startReference, REFERENCE_INFO, REFERENCE_TOOLS } from './era-2026-reference.js'
import pkg from '../../package.json' with { type: 'json' }

export const MODERN = '2026-07-28'
/** The 2025 revisions the gateway serves through `initialize` beside the modern era. */
export const LEGACY = ['2025-11-25', '2025-06-18']
export const PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion'
export const LOG_LEVEL = 'io.modelcontextprotocol/logLevel'
export const SERVER_INFO = 'io.modelcontextprotocol/serverInfo'
export const HEADER_MISMATCH = -32020
export const UNSUPPORTED_VERSION = -32022

export const GATEWAY_TOOLS = [
  'add_issue_comment', 'batch_label_issues', 'create_issue', 'get_issue', 'list_issue_comments',
  'list_issues', 'list_issues_paginated', 'search_issues', 'update_issue',
]
export const WRITE_TOOLS = ['add_issue_comment', 'batch_label_issues', 'create_issue', 'update_issue']

export const widgets = { owner: 'octo-org', repo: 'widgets' }

/** A JSON-RPC message as it comes off the wire. */
export interface Message {
  jsonrpc: '2.0'
  id?: string | number
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: { code: number, message: string, data?: Record<string, unknown> }
}

export interface RpcRequest {
  jsonrpc: '2.0'
  id: string | number
  method: string
  params: Record<string, unknown> & { _meta: Record<string, unknown> }
}

/** The envelope every 2026 request carries in `params._meta`, plus `meta` (progressToken, logLevel …). */
export function envelope (meta: Record<string, unknown> = {}, version = MODERN): Record<string, unknown> {
  return {
    [PROTOCOL_VERSION]: version,
    'io.modelcontextprotocol/clientInfo': { name: 'era-2026-test', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
    ...meta,
  }
}

export function rpc (id: string | number, method: string, params: Record<string, unknown> = {}, meta: Record<string, unknown> = {}, version = MODERN): RpcRequest {
  return { jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope(meta, version) } }
}

export const toolCall = (id: string | number, name: string, args: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
  rpc(id, 'tools/call', { name, arguments: args }, meta)

/** The standard headers a conforming client sends with `body`: version, method, and the name or URI where one is mirrored. */
export function standardHeaders (body: RpcRequest): Record<string, string> {
  const headers: Record<string, string> = { 'mcp-protocol-version': String(body.params._meta[PROTOCOL_VERSION]), 'mcp-method': body.method }
  const mirrored = body.method === 'resources/read' ? body.params.uri : ['tools/call', 'prompts/get'].includes(body.method) ? body.params.name : undefined
  if (typeof mirrored === 'string') headers['mcp-name'] = mirrored
  return headers
}

/** Headers to add; a header set to undefined is left out of the request. */
export type HeaderChanges = Record<string, string | undefined>

function compose (...parts: HeaderChanges[]): Record<string, string> {
  const merged: HeaderChanges = Object.assign({}, ...parts)
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined))
}

export interface Reply {
  status: number
  headers: Record<string, string>
  text: string
  /** Every JSON-RPC message of the answer: the one JSON body, or each SSE `data:` frame. */
  messages: Message[]
  /** The message that answers the request (same id), if any. */
  answer?: Message
}

function reply (status: number, headers: Record<string, string>, text: string, id: unknown): Reply {
  const type = headers['content-type'] ?? ''
  let messages: Message[] = []
  if (type.startsWith('text/event-stream')) messages = sseMessages(text) as Message[]
  else if (type.startsWith('application/json') && text !== '') {
    const parsed = JSON.parse(text) as Message | Message[]
    messages = Array.isArray(parsed) ? parsed : [parsed]
  }
  return { status, headers, text, messages, answer: messages.find((m) => m.id === id && (m.result !== undefined || m.error !== undefined)) }
}

/** The server under test, listening on loopback. */
export interface Target {
  kind: 'gateway' | 'reference'
  url: string
  github: GitHubStandin
  /** What authenticates a request: the gateway's API key; nothing for the reference. */
  auth: Record<string, string>
  serverInfo: { name: string, version: string }
  tools: string[]
  /** The gateway app (metrics, sessions); absent for the reference. */
  app?: FastifyInstance
}

export const referenceRun = process.env.ERA2026_TARGET === 'reference'

export interface TargetOptions {
  /** Gateway configuration beyond the test defaults. */
  env?: Record<string, string>
  /** Another upstream than the GitHub stand-in. */
  githubUrl?: string
}

/** The gateway (or, with ERA2026_TARGET=reference, the reference), closed when the test ends. */
export async function listening (t: TestContext, opts: TargetOptions = {}): Promise<Target> {
  if (referenceRun) {
    const github = await standin(t)
    const ref = await startReference(opts.githubUrl ?? github.url)
    t.teardown(ref.close)
    return { kind: 'reference', url: ref.url, github, auth: {}, serverInfo: REFERENCE_INFO, tools: REFERENCE_TOOLS }
  }
  const { app, github } = await build(t, { ...(opts.githubUrl && { GITHUB_API_URL: opts.githubUrl }), ...opts.env })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return {
    kind: 'gateway', url: `http://127.0.0.1:${port}/mcp`, github, auth: { 'x-api-key': KEY_A },
    serverInfo: { name: pkg.name, version: pkg.version }, tools: GATEWAY_TOOLS, app,
  }
}

/** POSTs `body` with the headers a conforming 2026 client sends, changed by `headers`. */
export async function post (target: Pick<Target, 'url' | 'auth'>, body: RpcRequest, headers: HeaderChanges = {}, signal?: AbortSignal): Promise<Reply> {
  const res = await fetch(target.url, { method: 'POST', headers: compose(MCP_HEADERS, target.auth, standardHeaders(body), headers), body: JSON.stringify(body), signal })
  return reply(res.status, Object.fromEntries(res.headers.entries()), await res.text(), body.id)
}

/** The same request through `app.inject`: for what a socket cannot send (another Host) and guard tests. */
export async function inject (app: FastifyInstance, body: RpcRequest, headers: HeaderChanges = {}): Promise<Reply> {
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: compose(MCP_HEADERS, standardHeaders(body), headers), payload: body })
  return reply(res.statusCode, res.headers as Record<string, string>, res.body, body.id)
}

/**
 * An upstream that never answers, on loopback. `until('arrived', n)` resolves once n requests
 * have arrived, `until('aborted', n)` once n of them were closed by the caller unanswered.
 */
export async function hangingUpstream (t: TestContext) {
  const counts = { arrived: 0, aborted: 0 }
  const events = new EventEmitter()
  const server = createServer((_req, res) => {
    res.on('close', () => { if (!res.writableEnded) { counts.aborted++; events.emit('change') } })
    counts.arrived++
    events.emit('change')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const until = (what: keyof typeof counts, n: number) => within(new Promise<void>((resolve) => {
    const check = () => { if (counts[what] >= n) { events.off('change', check); resolve() } }
    events.on('change', check)
    check()
  }), 5000, `${n} upstream request(s) ${what}`)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, until }
}

/** Resolves with `promise`, or rejects naming `what` after `ms`: a clear failure instead of tap's timeout. */
export function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms) })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
