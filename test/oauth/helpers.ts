// OAuth test kit: the gateway listening with OAuth on against a sandbox GitHub, an MCP SDK
// OAuthClientProvider kept in memory, and a cookie-keeping "browser" that clicks through the
// consent page and the sandbox's GitHub login as a person would.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { Redis } from 'ioredis'
import { buildApp } from '../../src/app.js'
import { redisKv, type Kv } from '../../src/oauth/kv.js'
import { SANDBOX_OAUTH_APP, type GitHubStandin } from '../../sandbox/github-standin.js'
import { standin, testEnv, type TestContext } from '../helper.js'

export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64')
export const CLIENT_REDIRECT = 'http://127.0.0.1:9/callback'

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A Kv on the local Redis under a prefix of its own, emptied and disconnected when the test ends. */
export function testRedisKv (t: Test, name: string): Kv {
  const redis = new Redis('redis://127.0.0.1:6379')
  const prefix = `test:${name}:${randomUUID()}:`
  t.teardown(async () => {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })
  return redisKv(redis, prefix)
}

export interface OAuthGateway { app: FastifyInstance, github: GitHubStandin, url: string }

/**
 * The gateway with OAuth on, listening on loopback (PUBLIC_URL is its own address). Given `logs`,
 * it logs there, one JSON line each, at LOG_LEVEL (default trace).
 */
export async function oauthGateway (t: TestContext, env: Record<string, string> = {}, github?: GitHubStandin, logs?: string[]): Promise<OAuthGateway> {
  const gh = github ?? await standin(t)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const level = env.LOG_LEVEL ?? 'trace'
  const stream = new Writable({ write (chunk, _enc, done) { logs?.push(String(chunk)); done() } })
  const app = await buildApp({
    logger: logs === undefined ? false : { level, stream },
    env: testEnv(gh, {
      ...(logs === undefined ? {} : { LOG_LEVEL: level }),
      PUBLIC_URL: url, GITHUB_WEB_URL: gh.url, TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
      GITHUB_OAUTH_CLIENT_ID: SANDBOX_OAUTH_APP.clientId, GITHUB_OAUTH_CLIENT_SECRET: SANDBOX_OAUTH_APP.clientSecret, ...env,
    }),
  })
  t.teardown(() => app.close())
  await app.listen({ port, host: '127.0.0.1' })
  return { app, github: gh, url }
}

/** A person at a browser: keeps cookies per origin (paths ignored: one flow at a time). */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>()
  /** Every page the browser was shown, for assertions (consent text, sandbox login). */
  readonly pages: Array<{ url: string, status: number, body: string }> = []

  async go (url: string, init: { method?: string, body?: string } = {}): Promise<Response> {
    const u = new URL(url)
    const cookies = [...(this.jar.get(u.origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ')
    const res = await fetch(url, {
      method: init.method ?? 'GET', redirect: 'manual', body: init.body,
      headers: { ...(cookies ? { cookie: cookies } : {}), ...(init.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    })
    const jar = this.jar.get(u.origin) ?? new Map<string, string>()
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const i = pair.indexOf('=')
      const expired = /expires=Thu, 01 Jan 1970/i.test(c)
      if (expired) jar.delete(pair.slice(0, i))
      else jar.set(pair.slice(0, i), pair.slice(i + 1))
    }
    this.jar.set(u.origin, jar)
    return res
  }

  /**
   * From the authorization URL an MCP client opened to the redirect back to the client: consent
   * ("Continue with GitHub"), the sandbox's login page (pick `login`), and back. Returns the URL
   * the browser was finally sent to (the client's redirect URI with code, state and iss).
   */
  async authorize (authorizationUrl: string | URL, login: string, clientRedirect = CLIENT_REDIRECT): Promise<URL> {
    let url = String(authorizationUrl)
    let method = 'GET'
    let body: string | undefined
    for (let hop = 0; hop < 15; hop++) {
      if (url.startsWith(clientRedirect)) return new URL(url)
      const res = await this.go(url, { method, body })
      const location = res.headers.get('location')
      if (location !== null) {
        url = new URL(location, url).toString()
        method = 'GET'
        body = undefined
        continue
      }
      const text = await res.text()
      this.pages.push({ url, status: res.status, body: text })
      const form = /<form method="post" action="([^"]+\/github)"/.exec(text)
      const user = new RegExp(`data-login="${login}" href="([^"]+)"`).exec(text)
      if (form !== null) { url = new URL(form[1], url).toString(); method = 'POST'; body = 'decision=allow'; continue }
      if (user !== null) { url = new URL(user[1].replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c))), url).toString(); continue }
      throw new Error(`stuck at ${url}: ${res.status} ${text.slice(0, 300)}`)
    }
    throw new Error('too many redirects')
  }
}

/** An SDK OAuthClientProvider kept in memory; `authorizationUrl` is where it would send the user. */
export class MemoryOAuthProvider implements OAuthClientProvider {
  client?: OAuthClientInformationMixed
  saved?: OAuthTokens
  verifier = ''
  authorizationUrl?: URL
  redirects = 0

  /** When set (and the server supports it), the client_id: the URL of the client's metadata document. */
  clientMetadataUrl?: string

  constructor (private readonly metadata: Partial<OAuthClientMetadata> = {}) {}

  get redirectUrl () { return CLIENT_REDIRECT }
  get clientMetadata (): OAuthClientMetadata {
    return { client_name: 'Test MCP Client', redirect_uris: [CLIENT_REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none', ...this.metadata }
  }
  clientInformation () { return this.client }
  saveClientInformation (info: OAuthClientInformationMixed) { this.client = info }
  tokens () { return this.saved }
  saveTokens (tokens: OAuthTokens) { this.saved = tokens }
  redirectToAuthorization (url: URL) { this.authorizationUrl = url; this.redirects++ }
  saveCodeVerifier (v: string) { this.verifier = v }
  codeVerifier () { return this.verifier }
}

/** The whole sign-in as an SDK client and its user go through it; returns the connected client. */
export async function signIn (t: Test, url: string, login: string, provider = new MemoryOAuthProvider()) {
  const first = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { authProvider: provider })
  const client = new Client({ name: 'oauth-test', version: '1.0.0' })
  await t.rejects(client.connect(first), { message: /Unauthorized/ }, 'the first connect ends in a redirect to sign in')
  if (provider.authorizationUrl === undefined) throw new Error('the client was never sent to sign in')
  const browser = new Browser()
  const back = await browser.authorize(provider.authorizationUrl, login)
  await first.finishAuth(back.searchParams.get('code') ?? '')
  const connected = new Client({ name: 'oauth-test', version: '1.0.0' })
  await connected.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { authProvider: provider }))
  return { provider, browser, back, client: connected }
}

