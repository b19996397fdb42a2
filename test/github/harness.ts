// Test harness: a real GitHub stand-in on loopback, the GitHub domain pointed at it, and an SDK
// Client connected to a session server through the SDK's in-memory transport pair.
import type { Test } from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { startGitHubStandin, type GitHubStandin, type StandinOptions } from '../../sandbox/github-standin.js'
import { createGitHubDomain, type GitHubDomain, type GitHubDomainOptions } from '../../src/github/index.js'
import { createSessionServer, type Logger, type ToolCallEvent } from '../../src/mcp/session-server.js'
import { FULL_ACCESS, type Access } from '../../src/auth/access.js'
import type { BudgetLimits } from '../../src/github/upstream/budgets.js'
import { createGitHubClient, type GitHubApi } from '../../src/github/upstream/client.js'

const ROOMY = [{ limit: 100_000, ms: 60_000 }]
export const ROOMY_BUDGETS: Partial<BudgetLimits> = { search: ROOMY, write: ROOMY, notifications: ROOMY }

export interface LogLine { level: string, obj: Record<string, unknown>, msg?: string }

export function memoryLogger (lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (obj: object, msg?: string) => { lines.push({ level, obj: { ...bindings, ...obj }, msg }) }
  return {
    info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'),
    child: (more) => memoryLogger(lines, { ...bindings, ...more }),
  }
}

export interface Harness {
  standin: GitHubStandin
  domain: GitHubDomain
  /** The domain's Octokit, for tests that watch what it sends. */
  api: GitHubApi
  client: Client
  logs: LogLine[]
  events: ToolCallEvent[]
  call (name: string, args?: Record<string, unknown>): Promise<CallToolResult>
  /** Another session (own server and client) on the same domain, e.g. with other access. */
  connect (access: Access, keyId?: string): Promise<Client>
}

export interface HarnessOptions {
  access?: Access
  standin?: StandinOptions
  domain?: Partial<GitHubDomainOptions>
}

export async function harness (t: Test, opts: HarnessOptions = {}): Promise<Harness> {
  const standin = await startGitHubStandin(opts.standin)
  const logs: LogLine[] = []
  const events: ToolCallEvent[] = []
  const logger = memoryLogger(logs)
  // Budgets no test exhausts unless it asks to, and fast retries: the stand-in enforces no
  // secondary limits, so only the tests of the budgets themselves need GitHub's.
  const options: GitHubDomainOptions = { token: 'sandbox-token', baseUrl: standin.url, logger, budgets: ROOMY_BUDGETS, retryBaseMs: 5, ...opts.domain }
  const github = createGitHubClient(options)
  const domain = createGitHubDomain(options, github)
  const clients: Client[] = []
  const connect = async (access: Access, keyId?: string): Promise<Client> => {
    const server = createSessionServer(domain.catalog, { keyName: 'test-key', keyId, access, logger, onToolCall: (e) => events.push(e) })
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    const client = new Client({ name: 'harness', version: '1.0.0' })
    await server.connect(serverSide)
    await client.connect(clientSide)
    // Caches the tools' output schemas: from now on the SDK client checks every structuredContent.
    await client.listTools()
    clients.push(client)
    return client
  }
  const client = await connect(opts.access ?? FULL_ACCESS)
  t.teardown(async () => {
    for (const c of clients) await c.close()
    await domain.close() // before the stand-in: its keep-alive sockets would hold close() open
    await standin.close()
  })
  return {
    standin, domain, api: github.api, client, logs, events, connect,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
  }
}

export function textOf (result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
}
