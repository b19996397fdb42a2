import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { standin, testEnv, initializeBody, MCP_HEADERS, KEY_A, type TestContext } from './helper.js'

// The process entry, spawned as operators run it: fail-fast config and graceful shutdown.
const entry = fileURLToPath(new URL('../src/server.ts', import.meta.url))

function run (env: Record<string, string>): { child: ChildProcess, output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => { output += d })
  child.stderr!.on('data', (d) => { output += d })
  return { child, output: () => output }
}

async function exitOf (child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const [code] = await once(child, 'exit')
  return code as number | null
}

async function freePort (): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address() as { port: number }
  srv.close()
  return port
}

async function waitReady (base: string) {
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(`${base}/health/live`)).ok) return } catch {}
    await sleep(50)
  }
  throw new Error('server did not come up')
}

t.test('fail fast: exit 1 naming the variable, before binding a port', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /GITHUB_TOKEN is required/],
    [{ GITHUB_TOKEN: 'x', PORT: '70000' }, /PORT must be <= 65535/],
    [{ GITHUB_TOKEN: 'x', PORT: 'eighty' }, /PORT must be integer/],
    [{ GITHUB_TOKEN: 'x', NODE_ENV: 'production' }, /AUTH_KEYS \(or AUTH_KEYS_FILE\) is required when NODE_ENV=production/],
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
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const { child, output } = run({ ...testEnv(gh), PORT: String(port), LOG_LEVEL: 'info', ...env })
  t.teardown(() => { child.kill('SIGKILL') })
  await waitReady(base)
  const init = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(initializeBody()) })
  const session = init.headers.get('mcp-session-id')
  if (!session) throw new Error('no session')
  gh.setLatency(latencyMs)
  const slow = fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1 } } })
  })
  slow.catch(() => {})
  await sleep(300) // let the call reach the upstream before the signal
  return { base, child, output, slow }
}

t.test('SIGTERM drains: readiness 503, in-flight call completes, exit 0', async (t) => {
  const { base, child, output, slow } = await serverWithSlowCall(t, { SHUTDOWN_DRAIN_DELAY_MS: '1500' }, 2500)
  child.kill('SIGTERM')

  let readiness = 0
  for (let i = 0; i < 40 && readiness !== 503; i++) {
    const res = await fetch(`${base}/health`)
    readiness = res.status
    if (readiness === 503) t.same(await res.json(), { status: 'shutting_down' })
    else await sleep(25)
  }
  t.equal(readiness, 503, 'readiness turns 503 at once')
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
  await sleep(200)
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
