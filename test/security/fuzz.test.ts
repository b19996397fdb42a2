import t from 'tap'
import http from 'node:http'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { standin, testEnv, KEY_A, KEY_B } from '../helper.js'
import { Rng } from './fuzz-rng.js'
import { generate, type FuzzRequest } from './fuzz-requests.js'
import { ALLOWED_ORIGIN, SELF } from './fuzz-headers.js'
import { raw, runPool, send } from './fuzz-client.js'
import { Anchors, startGateway } from './fuzz-harness.js'
import { describe, githubPathProblem, isSessionCap, mayWaitOnGitHub, problems, Tally } from './fuzz-checks.js'
import { rawCases, rawProblem } from './fuzz-raw.js'

// A bounded, deterministic fuzz run against the gateway in a child process over real sockets:
// mutated JSON-RPC, garbage bodies, hostile headers, odd methods and paths, domain-aimed tool
// arguments, then malformed HTTP on raw sockets. Same seed, same requests. See fuzz-*.ts.
const SEED = 0x5EED2025
const COUNT = 3200
const CONCURRENCY = 8
const FIRING_BUDGET_MS = 40_000 // bound in time as well as count; the summary says how many went out
const HANG_MS = 15_000 // no answer at all for this long is a hang
const GITHUB_WAIT_MS = 1_500 // tool calls may queue behind GitHub's write/search spacing: give up, which cancels them
const MAX_SESSIONS = 12
const HEAP_GROWTH_BOUND = 64 * 1024 * 1024

t.setTimeout(150_000)

t.test(`fuzz: ${COUNT} requests, seed 0x${SEED.toString(16)}: no crash, no 5xx, no hang, bounded memory`, async (t) => {
  const github = await standin(t)
  github.setRateLimit(1_000_000)
  github.setSearchRateLimit(1_000_000)
  const dir = t.testdir()
  const keyFile = join(dir, 'keys.json')
  // KEY_B is read-only and confined to octo-org/*: scope and allowlist checks are fuzzed too.
  // TRUST_PROXY with a small AUTH_FAILURE_MAX: failing keys come from 16 X-Forwarded-For addresses
  // and soon meet the brute-force 429, while valid keys come from others and are never blocked.
  // Session caps (12, 8 per key, 2 s idle) are low so that 429/503 for sessions are reached too.
  writeFileSync(keyFile, JSON.stringify({ keys: [{ name: 'reader', key: KEY_B, scopes: ['issues:read'], repos: ['octo-org/*'] }] }))
  const gateway = await startGateway(testEnv(github, {
    AUTH_KEYS: KEY_A, AUTH_KEYS_FILE: keyFile, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000', TRUST_PROXY: 'true',
    AUTH_FAILURE_MAX: '3', ALLOWED_ORIGINS: ALLOWED_ORIGIN, MAX_SESSIONS: String(MAX_SESSIONS), MAX_SESSIONS_PER_KEY: '8',
    SESSION_IDLE_TTL_MS: '2000', BODY_LIMIT_BYTES: '262144'
  }))
  t.teardown(() => gateway.close(5_000))
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  t.teardown(() => agent.destroy())
  const { port } = gateway
  const anchors = new Anchors(agent, port)
  for (const key of [0, 1] as const) for (const slot of [0, 1]) await anchors.open(key, slot)
  t.equal(anchors.opened, 4, 'anchor sessions opened')

  const rng = new Rng(SEED)
  const corpus = Array.from({ length: COUNT }, (_, n) => generate(rng, n))
  const byCategory = new Tally()
  const byStatus = new Tally()
  const byCategoryStatus = new Tally()
  const failures: string[] = []
  let extra = 0
  let maxSessions = 0

  async function fire (req: FuzzRequest) {
    const sessionId = req.session ? anchors.resolve(req.session) : undefined
    const headers = req.headers.map(([k, v]): [string, string] => [k, v === SELF ? `http://127.0.0.1:${port}` : v])
    if (sessionId !== undefined) headers.push(['mcp-session-id', sessionId])
    const waits = mayWaitOnGitHub(req)
    const o = await send(agent, port, { ...req, headers }, waits ? GITHUB_WAIT_MS : HANG_MS, waits ? 'abandoned' : 'timeout')
    const status = typeof o.status === 'number' ? String(o.status) : o.status.replace(/^error:.*/, 'conn-error')
    byCategory.add(req.category)
    byStatus.add(isSessionCap(o) ? '503(session cap)' : status)
    byCategoryStatus.add(`${req.category}:${status}`)
    for (const p of problems(req, o)) failures.push(`${p} ← ${describe(req, sessionId)}`)
    // An anchor ended by a fuzzed DELETE or by idling out is opened again.
    if (o.status === 404 && req.session && req.session.variant === 'own' && sessionId !== undefined && o.body.includes('Session not found')) {
      await anchors.open(req.session.key, req.session.slot)
    }
    // A session a fuzzed initialize opened is mostly ended at once; the rest idle out (TTL 2 s).
    // (A refused initialize leaves no session behind: its id is dead at once.)
    if (o.status === 200 && o.sessionId !== undefined && req.closeSession && o.body.includes('"result"') && !anchors.isAnchor(o.sessionId)) {
      extra++
      const kept = headers.filter(([name]) => ['host', 'origin', 'x-forwarded-host', 'x-api-key', 'authorization'].includes(name))
      const del = await send(agent, port, { method: 'DELETE', path: '/mcp', headers: [...kept, ['x-forwarded-for', '10.1.0.3'], ['mcp-session-id', o.sessionId]] }, HANG_MS)
      if (del.status !== 204) failures.push(`DELETE of a session just opened answered ${del.status} ← ${describe(req, o.sessionId)}`)
    }
    if (req.n % 200 === 0) {
      extra++
      const health = await send(agent, port, { method: 'GET', path: '/health', headers: [] }, HANG_MS)
      if (health.status !== 200) failures.push(`/health answered ${health.status} during the fuzz`)
      else maxSessions = Math.max(maxSessions, (JSON.parse(health.body) as { activeSessions: number }).activeSessions)
    }
  }

  // Warm-up: caches and lazily built structures fill here, so the heap baseline after it is fair.
  const started = Date.now()
  const deadline = started + FIRING_BUDGET_MS
  const warm = await runPool(corpus.slice(0, 300), CONCURRENCY, deadline, fire)
  const baseline = await gateway.stats()
  const fired = warm + await runPool(corpus.slice(300), CONCURRENCY, deadline, fire)
  const firingMs = Date.now() - started

  const rawTally = new Tally()
  for (const c of rawCases()) {
    const o = await raw(port, c.payload, 5_000)
    rawTally.add(o.status === null ? 'closed' : String(o.status))
    const problem = rawProblem(c, o)
    if (problem !== undefined) failures.push(`raw socket: ${problem}`)
  }

  const health = await send(agent, port, { method: 'GET', path: '/health', headers: [] }, HANG_MS)
  t.equal(health.status, 200, 'still answering /health with 200 after the fuzz')
  t.equal(gateway.exitCode(), undefined, 'the gateway process is still running')
  t.same(gateway.crashes, [], 'no uncaught exception or unhandled rejection')

  const upstream = github.requests.map((r) => githubPathProblem(r.method, r.path)).filter((p) => p !== undefined)
  t.same([...new Set(upstream)].slice(0, 20), [], `no GitHub request outside /repos/{owner}/{repo}, /search/issues, /user, /orgs, /users (${github.requests.length} made)`)

  // Settle: idle sessions expire (TTL 2 s) so the heap is compared at a similar number of sessions.
  let after = await gateway.stats()
  for (let i = 0; i < 40 && after.sessions > 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    after = await gateway.stats()
  }
  t.ok(maxSessions <= MAX_SESSIONS && after.sessions <= MAX_SESSIONS, `open sessions bounded: max sampled ${maxSessions}, after ${after.sessions} (MAX_SESSIONS ${MAX_SESSIONS})`)
  const growth = after.heapUsed - baseline.heapUsed
  t.ok(baseline.gc, 'heap measured after a forced GC')
  t.ok(growth < HEAP_GROWTH_BOUND, `heap growth ${(growth / 1048576).toFixed(1)} MiB < ${HEAP_GROWTH_BOUND / 1048576} MiB`)

  const serverErrors = gateway.logs.filter((line) => /"level":50|"level":60/.test(line))
  t.same(serverErrors.slice(0, 10), [], 'no error-level log line from the gateway')
  t.same(failures.slice(0, 25), [], `every response acceptable (${failures.length} problems)`)

  t.comment(`fuzz seed 0x${SEED.toString(16)}: ${fired} of ${COUNT} fuzzed requests (+${extra} cleanup/health, +${anchors.opened} anchor opens) in ${(firingMs / 1000).toFixed(1)} s at concurrency ${CONCURRENCY}`)
  t.comment(`by category: ${byCategory.line()}`)
  t.comment(`by status: ${byStatus.line()}`)
  t.comment(`by category and status: ${byCategoryStatus.line()}`)
  t.comment(`raw sockets (${rawCases().length} malformed HTTP requests): ${rawTally.line()}`)
  t.comment(`GitHub requests made: ${github.requests.length}; heap ${(baseline.heapUsed / 1048576).toFixed(1)} → ${(after.heapUsed / 1048576).toFixed(1)} MiB after GC; sessions max ${maxSessions}`)
  t.equal(await gateway.close(10_000), 0, 'the gateway closes cleanly and its process exits by itself')
})
