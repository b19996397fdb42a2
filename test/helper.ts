import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import env from '../plugins/env.js'
import { startGitHubStandin, SANDBOX_TOKEN, type GitHubStandin } from '../sandbox/github-standin.js'

// Shared test harness: a GitHub stand-in on loopback plus the app built with test config.
export const KEY_A = 'test-key-alpha-0123456789'
export const KEY_B = 'test-key-bravo-0123456789'

export interface TestContext { teardown (fn: () => unknown): void }

export async function standin (t: TestContext, latencyMs = 0): Promise<GitHubStandin> {
  const gh = await startGitHubStandin({ latencyMs })
  t.teardown(() => gh.close())
  return gh
}

export function testEnv (github: GitHubStandin, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GITHUB_TOKEN: SANDBOX_TOKEN,
    GITHUB_API_URL: github.url,
    AUTH_KEYS: `${KEY_A},${KEY_B}`,
    RATE_LIMIT_MAX: '1000',
    ...env
  }
}

/** The app against a fresh stand-in; closed (and checked closable) when the test ends. */
export async function build (t: TestContext, env: Record<string, string> = {}): Promise<{ app: FastifyInstance, github: GitHubStandin }> {
  const github = await standin(t)
  const app = await buildApp({ env: testEnv(github, env) })
  t.teardown(() => app.close())
  return { app, github }
}

export interface PluginAppOptions {
  /** Variables beyond the plugin-test defaults (NODE_ENV=test and a GitHub token). */
  env?: Record<string, string>
  /** When given, the app logs here (one JSON line per entry) at `logLevel` (default trace). */
  logLines?: string[]
  logLevel?: string
}

/** Registers the plugins under test, in order, with any route they guard. */
export type PluginSetup = (app: FastifyInstance) => Promise<void>

/** The one way plugin tests build an app: env validated first, as app.ts does, then `setup`. */
async function pluginApp (setup: PluginSetup, opts: PluginAppOptions): Promise<FastifyInstance> {
  const { logLines } = opts
  const stream = new Writable({ write (chunk, _enc, done) { logLines?.push(String(chunk)); done() } })
  const app = Fastify({ logger: logLines ? { level: opts.logLevel ?? 'trace', stream } : false })
  try {
    await app.register(env, { env: { NODE_ENV: 'test', GITHUB_TOKEN: 'test-token', ...opts.env } })
    await setup(app)
    await app.ready()
  } catch (err) {
    await app.close().catch(() => {})
    throw err
  }
  return app
}

/** A plugin app, ready, closed when the test ends. */
export async function buildPlugins (t: TestContext, setup: PluginSetup, opts: PluginAppOptions = {}): Promise<FastifyInstance> {
  const app = await pluginApp(setup, opts)
  t.teardown(() => app.close())
  return app
}

/** The error that stops such an app from starting, or null when it starts (and is closed again). */
export async function startError (setup: PluginSetup, opts: PluginAppOptions = {}): Promise<Error | null> {
  try {
    await (await pluginApp(setup, opts)).close()
    return null
  } catch (err) {
    return err as Error
  }
}

/** The route a guard plugin protects in a plugin test. */
export const ok = async () => ({ ok: true })

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream'
}

export function initializeBody (id: number | string = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1.0.0' } }
  }
}

/** Opens a session through inject and returns its id. */
export async function openSession (app: FastifyInstance, key = KEY_A): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { ...MCP_HEADERS, 'x-api-key': key }, payload: initializeBody() })
  if (res.statusCode !== 200) throw new Error(`initialize failed: ${res.statusCode} ${res.body}`)
  const id = res.headers['mcp-session-id']
  if (typeof id !== 'string') throw new Error('no session id')
  await app.inject({
    method: 'POST', url: '/mcp',
    headers: { ...MCP_HEADERS, 'x-api-key': key, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
    payload: { jsonrpc: '2.0', method: 'notifications/initialized' }
  })
  return id
}

/** Parses `event: message` frames of an SSE body into their JSON payloads. */
export function sseMessages (body: string): unknown[] {
  return body.split('\n\n').flatMap((frame) => {
    const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
    return data ? [JSON.parse(data)] : []
  })
}
