// The baseline: the seed tutorial's server design, so the bench compares against something real.
// Express 5, the SDK's StreamableHTTPServerTransport, and for every session a new McpServer with
// the nine tools registered again and its own Octokit. Sessions live in a Map keyed by session id.
// Stateless variant: a new McpServer and transport for every request (sessionIdGenerator undefined).
import { randomUUID } from 'node:crypto'
import express, { type Express, type Request, type Response } from 'express'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { Octokit } from '@octokit/rest'
import { AuthService } from './auth.js'
import { corsMiddleware } from './cors.js'
import { RateLimiter } from './rate-limiter.js'
import { registerTools } from './tools.js'

export interface BaselineOptions {
  githubToken: string
  githubApiUrl: string
  authKeys: string[]
  rateLimitMax: number
  rateLimitWindowMs: number
  allowedOrigins?: string[]
  stateless?: boolean
}

interface Session {
  transport: StreamableHTTPServerTransport
  server: McpServer
}

export interface Baseline {
  app: Express
  sessions: Map<string, Session>
  closeAll (): Promise<void>
}

function rpcError (res: Response, status: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null })
}

export function createBaseline (opts: BaselineOptions): Baseline {
  const sessions = new Map<string, Session>()

  // As the tutorial did: one McpServer per session, tools registered on it, one Octokit each.
  function createServer (): McpServer {
    const server = new McpServer({ name: 'github-issues-mcp', version: '1.0.0' })
    const octokit = new Octokit({ auth: opts.githubToken, baseUrl: opts.githubApiUrl })
    registerTools(server, octokit)
    return server
  }

  const app = express()
  app.use(express.json({ limit: '1mb' }))
  app.use(corsMiddleware(opts.allowedOrigins ?? []))
  app.get('/health', (_req, res) => { res.json({ status: 'ok', sessions: sessions.size }) })
  app.use('/mcp', new AuthService(opts.authKeys).middleware())
  app.use('/mcp', new RateLimiter(opts.rateLimitMax, opts.rateLimitWindowMs).middleware())

  if (opts.stateless) {
    app.post('/mcp', async (req: Request, res: Response) => {
      const server = createServer()
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
      res.on('close', () => { void transport.close(); void server.close() })
      await server.connect(transport)
      await transport.handleRequest(req, res, req.body)
    })
    const notAllowed = (_req: Request, res: Response) => rpcError(res, 405, 'Method not allowed.')
    app.get('/mcp', notAllowed)
    app.delete('/mcp', notAllowed)
  } else {
    app.post('/mcp', async (req: Request, res: Response) => {
      const sessionId = req.headers['mcp-session-id']
      const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined
      if (existing) {
        await existing.transport.handleRequest(req, res, req.body)
        return
      }
      if (sessionId !== undefined || !isInitializeRequest(req.body)) {
        rpcError(res, 400, 'Bad Request: No valid session ID provided')
        return
      }
      const server = createServer()
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => { sessions.set(id, { transport, server }) }
      })
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId)
      }
      await server.connect(transport)
      await transport.handleRequest(req, res, req.body)
    })
    // GET (SSE stream) and DELETE (end session) go to the session's transport.
    const sessionRequest = async (req: Request, res: Response) => {
      const sessionId = req.headers['mcp-session-id']
      const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined
      if (!session) {
        res.status(400).send('Invalid or missing session ID')
        return
      }
      await session.transport.handleRequest(req, res)
    }
    app.get('/mcp', sessionRequest)
    app.delete('/mcp', sessionRequest)
  }

  return {
    app,
    sessions,
    async closeAll () {
      for (const { transport, server } of [...sessions.values()]) {
        await transport.close()
        await server.close()
      }
      sessions.clear()
    }
  }
}
