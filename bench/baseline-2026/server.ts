// The 2026 baseline: a server built the way the MCP TypeScript SDK v2 documents it
// (docs/serving/http.md and fastify.md): `createMcpHandler` over an McpServer factory, mounted on
// Fastify with `toNodeHandler`. The factory runs once per request, so every request gets a fresh
// McpServer with the nine tools registered on it (bench/baseline/tools.ts, zod schemas wrapped in
// `z.object` as v2 asks); the Octokit is built once and closed over, as the docs advise for
// connection pools. The same handler serves 2026-07-28 requests and, statelessly, the 2025 era.
// In front of it: the Host/Origin checks `createMcpFastifyApp` adds (its package,
// @modelcontextprotocol/fastify, is not a dependency here) and the seed tutorial's API key check
// and rate limiter, so it does the same guarding work per request as the 2025 baseline.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { toNodeHandler } from '@modelcontextprotocol/node'
import {
  createMcpHandler, localhostAllowedHostnames, localhostAllowedOrigins, McpServer,
  validateHostHeader, validateOriginHeader, type McpHttpHandler
} from '@modelcontextprotocol/server'
import { Octokit } from '@octokit/rest'
import { z } from 'zod'
import { AuthService } from '../baseline/auth.js'
import { RateLimiter } from '../baseline/rate-limiter.js'
import { TOOLS } from '../baseline/tools.js'

export interface Baseline2026Options {
  githubToken: string
  githubApiUrl: string
  authKeys: string[]
  rateLimitMax: number
  rateLimitWindowMs: number
}

export interface Baseline2026 {
  app: FastifyInstance
  handler: McpHttpHandler
}

const forbidden = (reply: FastifyReply, message: string) =>
  reply.code(403).send({ jsonrpc: '2.0', error: { code: -32_000, message }, id: null })

export function createBaseline2026 (opts: Baseline2026Options): Baseline2026 {
  const octokit = new Octokit({ auth: opts.githubToken, baseUrl: opts.githubApiUrl })
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 'github-issues-mcp', version: '1.0.0' })
    for (const t of TOOLS) {
      server.registerTool(t.name, { description: t.description, inputSchema: z.object(t.shape) }, (args) => t.run(octokit, args))
    }
    return server
  })

  const app = Fastify()
  // What createMcpFastifyApp() arms on a loopback bind: DNS-rebinding protection.
  const hosts = localhostAllowedHostnames()
  const origins = localhostAllowedOrigins()
  app.addHook('onRequest', async (request, reply) => {
    const host = validateHostHeader(request.headers.host, hosts)
    if (!host.ok) return forbidden(reply, host.message)
    const origin = validateOriginHeader(request.headers.origin, origins)
    if (!origin.ok) return forbidden(reply, origin.message)
  })

  const auth = new AuthService(opts.authKeys)
  const limiter = new RateLimiter(opts.rateLimitMax, opts.rateLimitWindowMs)
  async function guard (request: FastifyRequest, reply: FastifyReply) {
    const key = request.headers['x-api-key']
    if (typeof key !== 'string') return reply.code(401).send({ error: 'Missing X-API-Key header' })
    if (!auth.validate(key)) return reply.code(403).send({ error: 'Invalid API key' })
    if (!limiter.isAllowed(key)) return reply.code(429).send({ error: 'Too many requests, please try again later' })
  }

  const node = toNodeHandler(handler)
  app.all('/mcp', { onRequest: guard }, (request, reply) => node(request.raw, reply.raw, request.body))
  app.addHook('onClose', () => handler.close())
  return { app, handler }
}
