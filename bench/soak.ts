// `npm run soak`: the gateway (its real entry, in its own process) under N MCP sessions calling
// tools for M minutes against the sandbox, with a GitHub fault armed every SOAK_FAULT_MS: 502s,
// resets, hangs, truncated, huge, HTML and broken-JSON answers, short secondary-limit pauses.
// It reports the gateway's RSS and heap (after a full GC) at the start, each minute and the end,
// and every call's outcome: a result, a clean tool error, or a broken answer (an HTTP error, no
// result, "Internal error"); any broken answer makes it exit 1.
import { execFileSync } from 'node:child_process'
import { startGitHubStandin, type GitHubStandin } from '../sandbox/github-standin.js'
import { positiveInt, serverEnv } from './config.js'
import { closeAgents, openAgents } from './agents/drive.js'
import { post } from './mcp-http.js'
import { ROOT, startChild } from './procs.js'

const SESSIONS = positiveInt('SOAK_SESSIONS', 20)
const MINUTES = positiveInt('SOAK_MINUTES', 3)
const FAULT_MS = positiveInt('SOAK_FAULT_MS', 250)
const WARMUP_S = 15
// Hangs end at this timeout; the default bounds (16 MiB answers, 32 MiB cache) stay as shipped.
const TIMEOUT_MS = 2000

const log = (line: string) => process.stderr.write(`${line}\n`)
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`

type Arm = (s: GitHubStandin, path: string) => void
const FAULTS: Record<string, Arm> = {
  502: (s, path) => s.failNext({ method: 'GET', path }, { status: 502 }),
  reset: (s, path) => s.breakNext({ method: 'GET', path }, { kind: 'reset', when: 'after-headers' }),
  hang: (s, path) => s.breakNext({ method: 'GET', path }, { kind: 'hang' }),
  truncate: (s, path) => s.breakNext({ method: 'GET', path }, { kind: 'truncate' }),
  huge: (s, path) => s.breakNext({ method: 'GET', path }, { kind: 'huge', bytes: 20 * 1048576 }),
  html: (s, path) => s.breakNext({ method: 'GET', path }, { kind: 'html' }),
  'bad-json': (s, path) => s.breakNext({ method: 'GET', path }, { kind: 'bad-json' }),
  secondary: (s, path) => s.failNext({ method: 'GET', path }, { status: 403, message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '1' } }),
}

const github = await startGitHubStandin()
github.setRateLimit(1_000_000_000)
github.setSearchRateLimit(1_000_000_000)
const widgets = { owner: 'octo-org', repo: 'widgets' }
const issues = github.state.repos[0].issues.filter((i) => i.pull_request === undefined && i.gone !== true).map((i) => i.number)
const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]

const gateway = await startChild('gateway', 'bench/children/gateway.ts', {
  ...serverEnv(github.url, false), GITHUB_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: 'error',
})
const sessions = await openAgents(gateway.url, SESSIONS)

const outcomes = new Map<string, number>()
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
const armed = new Map<string, number>()

/** One tool call judged as a client sees it. */
async function call (session: string, id: number): Promise<void> {
  const n = pick(issues)
  const [name, args] = pick<[string, Record<string, unknown>]>([
    ['get_issue', { ...widgets, issue_number: n }], ['get_issue', { ...widgets, issue_number: n }],
    ['list_issues', { ...widgets, limit: 20 }], ['list_issue_comments', { ...widgets, issue_number: n }],
  ]) // no searches: their budget (30 a minute) would have the sessions waiting, not calling
  try {
    const answer = await post(gateway.url, { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }, session)
    const result = (answer.messages.find((m) => 'result' in m) as { result?: { isError?: boolean, content?: Array<{ text?: string }> } } | undefined)?.result
    const text = result?.content?.[0]?.text ?? ''
    if (answer.status !== 200 || result === undefined || /Internal error/.test(text)) count(`broken: HTTP ${answer.status} ${text.slice(0, 80)}`)
    else count(result.isError === true ? `clean error: ${text.replace(/#\d+|\d{4}-[\dT:.-]+Z|\d+/g, 'N').slice(0, 90)}` : 'ok')
  } catch (error) {
    count(`broken: ${(error as Error).message}`)
  }
}

async function drive (seconds: number): Promise<void> {
  const deadline = performance.now() + seconds * 1000
  await Promise.all(sessions.map(async (session) => {
    for (let id = 1; performance.now() < deadline; id++) await call(session, id)
  }))
}

log(`soak: ${SESSIONS} sessions, ${MINUTES} min, a fault every ${FAULT_MS} ms; warm-up ${WARMUP_S} s`)
await drive(WARMUP_S)
outcomes.clear()
const samples = [{ at: 0, ...await gateway.memory() }]
const faults = setInterval(() => {
  const kind = pick(Object.keys(FAULTS))
  const n = pick(issues)
  FAULTS[kind](github, pick([`/repos/octo-org/widgets/issues/${n}`, `/repos/octo-org/widgets/issues/${n}/comments`, '/repos/octo-org/widgets/issues']))
  armed.set(kind, (armed.get(kind) ?? 0) + 1)
}, FAULT_MS)
const started = performance.now()
for (let minute = 1; minute <= MINUTES; minute++) {
  await drive(60)
  samples.push({ at: minute, ...await gateway.memory() })
  log(`  minute ${minute}: rss ${mib(samples.at(-1)!.rss)}, heap ${mib(samples.at(-1)!.heapUsed)}`)
}
clearInterval(faults)
const elapsed = (performance.now() - started) / 1000
await closeAgents(gateway.url, sessions)
const closed = await gateway.memory()
await gateway.stop()
await github.close()

const total = [...outcomes.values()].reduce((a, b) => a + b, 0)
const broken = [...outcomes].filter(([k]) => k.startsWith('broken')).reduce((a, [, v]) => a + v, 0)
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
const [first, last] = [samples[0], samples.at(-1)!]
process.stdout.write([
  `soak ${new Date().toISOString().slice(0, 10)}, commit ${commit}: ${SESSIONS} sessions, ${elapsed.toFixed(0)} s, ` +
    `${total} tool calls (${(total / elapsed).toFixed(0)}/s), ${[...armed.values()].reduce((a, b) => a + b, 0)} faults armed ` +
    `(${[...armed].map(([k, v]) => `${k} ${v}`).join(', ')})`,
  `gateway RSS ${mib(first.rss)} -> ${mib(last.rss)} (max ${mib(Math.max(...samples.map((s) => s.rss)))}), ` +
    `heap ${mib(first.heapUsed)} -> ${mib(last.heapUsed)} (max ${mib(Math.max(...samples.map((s) => s.heapUsed)))}); ` +
    `sessions closed: RSS ${mib(closed.rss)}, heap ${mib(closed.heapUsed)}`,
  `outcomes: ${broken} broken; ` + [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} ${k}`).join('; '),
  '',
].join('\n'))
process.exitCode = broken === 0 ? 0 : 1
