import t from 'tap'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { once } from 'node:events'
import { standin, testEnv, initializeBody, MCP_HEADERS, KEY_A, type TestContext } from './helper.js'
import type { GitHubStandin } from '../sandbox/github-standin.js'
import { exitOf, freePort, runServer as run, until, waitReady } from './spawn.js'

// Each test spawns processes; on a loaded machine the file needs more than the default budget.
t.setTimeout(300_000)

// The process entry, spawned as operators run it: fail-fast config and graceful shutdown.

/**
 * A TCP relay in front of the stand-in that tells when a request for `path` reaches it: the
 * condition "the call is at the upstream", instead of a sleep that guesses how long that takes.
 */
async function watchedUpstream (t: TestContext, gh: GitHubStandin) {
  const target = new URL(gh.url)
  let waiting: { path: string, resolve: () => void } | undefined
  const sockets = new Set<Socket>()
  const relay = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname)
    sockets.add(inbound).add(outbound)
    inbound.on('data', (chunk: Buffer) => {
      if (waiting && chunk.toString('latin1').includes(` ${waiting.path} HTTP/1.1`)) { waiting.resolve(); waiting = undefined }
    })
    inbound.pipe(outbound).pipe(inbound)
    inbound.on('error', () => outbound.destroy())
    outbound.on('error', () => inbound.destroy())
  })
  relay.listen(0, '127.0.0.1')
  await once(relay, 'listening')
  t.teardown(() => { relay.close(); for (const s of sockets) s.destroy() })
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    reached: (path: string) => new Promise<void>((resolve) => { waiting = { path, resolve } })
  }
}

t.test('fail fast: exit 1 naming the variable, before binding a port', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /GITHUB_TOKEN is required/],
    [{ GITHUB_TOKEN: 'x', PORT: '70000' }, /PORT must be <= 65535/],
    [{ GITHUB_TOKEN: 'x', PORT: 'eighty' }, /PORT must be integer/],
    [{ GITHUB_TOKEN: 'x', NODE_ENV: 'production' }, /AUTH_KEYS \(or AUTH_KEYS_FILE\), or OAuth \(GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER\), is required when NODE_ENV=production/],
    [{ GITHUB_TOKEN: 'x', MCP_STATELESS: 'perhaps' }, /MCP_STATELESS must be boolean/],
    [{ GITHUB_TOKEN: 'x', RATE_LIMIT_MAX: '1e', SESSION_IDLE_TTL_MS: '-5' }, /RATE_LIMIT_MAX must be integer[\s\S]*SESSION_IDLE_TTL_MS must be >= 1000/]
  ]
  for (const [env, expected] of cases) {
    const { child, output } = run(env)
    t.equal(await exitOf(child), 1, `exit 1 for ${JSON.stringify(env)}`)
    t.match(output(), expected)
    t.notMatch(output(), /at .*\.ts:\d+/, 'no stack trace')
  }
})

const headers = { ...MCP_HEADERS, 'x-api-key': KEY_A }

/** The spawned gateway with one session and a get_issue call in flight against a slow GitHub. */
async function serverWithSlowCall (t: TestContext, env: Record<string, string>, latencyMs: number) {
  const gh = await standin(t)
  const upstream = await watchedUpstream(t, gh)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const { child, output } = run({ ...testEnv(gh), GITHUB_API_URL: upstream.url, PORT: String(port), LOG_LEVEL: 'info', ...env })
  t.teardown(() => { child.kill('SIGKILL') })
  await waitReady(base)
  const init = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(initializeBody()) })
  const session = init.headers.get('mcp-session-id')
  if (!session) throw new Error('no session')
  gh.setLatency(latencyMs)
  const reached = upstream.reached('/repos/octo-org/widgets/issues/1')
  const slow = fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1 } } })
  })
  slow.catch(() => {})
  await reached // the signal comes while the call is at GitHub
  return { base, child, output, slow }
}

t.test('SIGTERM drains: readiness 503, in-flight call completes, exit 0', async (t) => {
  const { base, child, output, slow } = await serverWithSlowCall(t, { SHUTDOWN_DRAIN_DELAY_MS: '1500' }, 2500)
  child.kill('SIGTERM')

  let readiness: Response | undefined
  await until(async () => (readiness = await fetch(`${base}/health`)).status === 503, 'readiness 503', 5000)
  t.same(await readiness!.json(), { status: 'shutting_down' }, 'readiness turns 503 while draining')
  const refused = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(initializeBody()) })
  t.equal(refused.status, 503, 'no new sessions while draining')

  const res = await slow
  t.equal(res.status, 200)
  const body = await res.json() as { result: { isError?: boolean, structuredContent?: { number?: number } } }
  t.notOk(body.result.isError, 'the in-flight call completed')
  t.equal(await exitOf(child), 0)
  t.match(output(), /shutdown started/)
  t.match(output(), /shutdown complete/)
})

t.test('shutdown timeout: exit 1 saying what was cut off', async (t) => {
  const { child, output } = await serverWithSlowCall(t, { SHUTDOWN_TIMEOUT_MS: '300' }, 5000)
  child.kill('SIGTERM')
  t.equal(await exitOf(child), 1)
  t.match(output(), /shutdown timed out after 300 ms/)
  t.match(output(), /"inFlight":[1-9]/)
})

t.test('a second signal exits 1 at once', async (t) => {
  const gh = await standin(t)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const { child, output } = run({ ...testEnv(gh), PORT: String(port), LOG_LEVEL: 'info', SHUTDOWN_DRAIN_DELAY_MS: '5000' })
  t.teardown(() => { child.kill('SIGKILL') })
  await waitReady(base)
  child.kill('SIGTERM')
  await until(async () => (await fetch(`${base}/health`)).status === 503, 'the first signal to be handled')
  child.kill('SIGINT')
  t.equal(await exitOf(child), 1)
  t.match(output(), /second signal/)
})

t.test('a bad key file fails fast naming the entry, never quoting a key', async (t) => {
  const dir = t.testdir({ 'keys.json': JSON.stringify({ keys: [{ name: 'bot', key: 'secret-value-123', scopes: ['issues:admin'] }] }) })
  const { child, output } = run({ GITHUB_TOKEN: 'x', AUTH_KEYS_FILE: `${dir}/keys.json` })
  t.equal(await exitOf(child), 1)
  t.match(output(), /invalid configuration:\n {2}- AUTH_KEYS_FILE: keys\[0\] \("bot"\): scopes\[0\]/)
  t.notMatch(output(), /secret-value-123/)
  t.notMatch(output(), /at .*\.ts:\d+/, 'no stack trace')
})

t.test('development without AUTH_KEYS: the generated key is shown once, whatever LOG_LEVEL, with how to keep it', async (t) => {
  const gh = await standin(t)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const { AUTH_KEYS: _configured, ...env } = testEnv(gh)
  const { child, output } = run({ ...env, NODE_ENV: 'development', LOG_LEVEL: 'silent', PORT: String(port) })
  t.teardown(() => { child.kill('SIGKILL') })
  await waitReady(base)
  const key = /generated a development API key.*:\n\n {4}(\S+)\n/.exec(output())?.[1]
  t.ok(key, output())
  t.match(output(), `export AUTH_KEYS=${key}`, 'how to keep it')
  t.match(output(), /"X-API-Key: <key>" or "Authorization: Bearer <key>"/, 'how to send it')
  const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'x-api-key': key! }, body: JSON.stringify(initializeBody()) })
  t.equal(res.status, 200, 'the key shown is the key that works')
})
