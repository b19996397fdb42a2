// `npm run bench`: the seed-design baseline (for the 2026-07-28 rows, the SDK v2 one) against this
// gateway, same GitHub stand-in, one run.
// Prints the tables, writes bench/results.json and bench/RESULTS.md, and exits 1 if any request
// failed or answered wrongly, the baseline's in the agent workload excepted (targets missed are
// reported, and fail the run with BENCH_STRICT=1). What each scenario means: docs/benchmarks.md.
// BENCH_ONLY=handlers runs the opt-in handler experiment (never part of the full run): the gateway
// against itself served by the SDK's createMcpHandler (bench/sdk-handler/).
import { writeFile } from 'node:fs/promises'
import { cpus, loadavg, platform, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { agentWorkload } from './agents/phase.js'
import { BENCH, COMMAND, ONLY, optedIn, partialRun, selected, serverEnv } from './config.js'
import { resultsMarkdown, type BenchResults } from './markdown.js'
import { measureMemory, type MemoryRound } from './memory.js'
import { runScenario, type Pair } from './phases.js'
import { ROOT, startChild, type Child } from './procs.js'
import { evaluateTargets, memoryResult, type ScenarioResult } from './report.js'
import { SCENARIOS, type Scenario } from './scenarios.js'
import { webhookDelay } from './webhook-delay.js'

const started = Date.now()
const loadStart = loadavg()[0]
const log = (line: string) => process.stderr.write(`${line}\n`)
const BASELINE = 'bench/children/baseline.ts'
const BASELINE_2026 = 'bench/children/baseline-2026.ts'
const GATEWAY = 'bench/children/gateway.ts'
const SDK_HANDLER = 'bench/children/sdk-handler.ts'
const children = new Set<Child>()

async function start (name: string, entry: string, env: Record<string, string>): Promise<Child> {
  const child = await startChild(name, entry, env)
  children.add(child)
  return child
}
async function stop (...list: Child[]): Promise<void> {
  for (const child of list) { await child.stop(); children.delete(child) }
}

/** A fresh pair of processes, `against` and the gateway, for `scenarios`; stopped afterwards. */
async function onPair (githubUrl: string, scenarios: Scenario[], against: { name: string, entry: string }, stateless: boolean): Promise<ScenarioResult[]> {
  if (scenarios.length === 0) return []
  const pair: Pair = {
    baseline: await start(against.name, against.entry, serverEnv(githubUrl, stateless)),
    gateway: await start('gateway', GATEWAY, serverEnv(githubUrl, stateless))
  }
  const results: ScenarioResult[] = []
  for (const scenario of scenarios) results.push(await runScenario(pair, scenario))
  await stop(pair.baseline, pair.gateway)
  return results
}

/**
 * The scenarios of one era and mode against their baseline. The 2026 rows are measured against
 * the 2026 baseline and the gateway in its default (stateful) mode: a 2026-07-28 request is
 * served on its own whatever the mode, and the default is what most deployments run.
 */
function throughput (githubUrl: string, era: Scenario['era'], stateless: boolean): Promise<ScenarioResult[]> {
  const scenarios = SCENARIOS.filter((s) => s.experiment === undefined && s.era === era && s.stateless === stateless && selected(s.id))
  return onPair(githubUrl, scenarios, { name: 'baseline', entry: era === '2026' ? BASELINE_2026 : BASELINE }, stateless)
}

/**
 * The handler experiment: both eras on one pair, the gateway as it is against the gateway served
 * by the SDK's createMcpHandler. Both stateless: that handler serves the 2025 era only so, and a
 * 2026 request is served the same way in either mode.
 */
function handlers (githubUrl: string): Promise<ScenarioResult[]> {
  const scenarios = SCENARIOS.filter((s) => s.experiment === 'handlers' && optedIn(s.id, 'handlers'))
  return onPair(githubUrl, scenarios, { name: 'sdk-handler', entry: SDK_HANDLER }, true)
}

/** A fresh process for every measurement, baseline and gateway alternating. */
async function memory (githubUrl: string) {
  const rounds: Record<'baseline' | 'gateway', MemoryRound[]> = { baseline: [], gateway: [] }
  for (let r = 1; r <= BENCH.rounds; r++) {
    for (const [name, entry] of [['baseline', BASELINE], ['gateway', GATEWAY]] as const) {
      const child = await start(name, entry, serverEnv(githubUrl, false))
      const m = await measureMemory(child, BENCH.memorySessions)
      rounds[name].push(m)
      log(`memory               round ${r}/${BENCH.rounds} ${name.padEnd(9)} ${(m.rssPerSession / 1024).toFixed(1)} KiB RSS, ${(m.heapPerSession / 1024).toFixed(1)} KiB heap per session`)
      await stop(child)
    }
  }
  return memoryResult(rounds.baseline, rounds.gateway)
}

async function main (): Promise<number> {
  const known = [...SCENARIOS.map((s) => s.id as string), 'memory', 'agent_workload', 'agent_workload_webhooks', 'webhook_delay', 'handlers']
  const unknown = ONLY.filter((id) => !known.includes(id))
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`)
  const github = await start('github-standin', 'bench/children/standin.ts', {})
  log(`GitHub stand-in at ${github.url}; ${BENCH.connections} connections, ${BENCH.seconds} s × ${BENCH.rounds} rounds`)
  const scenarios = [
    ...await throughput(github.url, '2025', false), ...await throughput(github.url, '2025', true),
    ...await throughput(github.url, '2026', false), ...await handlers(github.url)
  ]
  const mem = selected('memory') ? await memory(github.url) : undefined
  await stop(github)
  // With webhooks, the workload runs all three servers: the row is judged against the gateway without them.
  const withWebhooks = selected('agent_workload_webhooks')
  const agents = selected('agent_workload') || withWebhooks
    ? await agentWorkload(start, stop, { baseline: BASELINE, gateway: GATEWAY }, withWebhooks)
    : undefined
  const delay = selected('webhook_delay') ? await webhookDelay(start, stop) : undefined

  const cpu = cpus()
  const results: BenchResults = {
    command: COMMAND,
    date: new Date().toISOString(),
    machine: {
      node: process.version, cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      platform: `${platform()} ${release()}`, memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadStart, loadEnd: loadavg()[0]
    },
    settings: { ...BENCH },
    durationSeconds: (Date.now() - started) / 1000,
    scenarios,
    memory: mem,
    agents,
    webhookDelay: delay,
    targets: evaluateTargets(scenarios, mem, agents, delay)
  }
  const markdown = resultsMarkdown(results)
  process.stdout.write(`\n${markdown}\n`)
  if (partialRun) {
    log('BENCH_ONLY run: bench/results.json and bench/RESULTS.md left as they were')
  } else {
    await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`)
    await writeFile(join(ROOT, 'bench/RESULTS.md'), markdown)
    log('Wrote bench/results.json and bench/RESULTS.md')
  }

  // The baseline's errors in the agent workload are a finding (it ignores GitHub's limits), not a
  // bench failure; the gateway's are.
  const failed = [
    ...scenarios.filter((s) => s.failures > 0).map((s) => `${s.id} (${s.failures})`),
    ...(agents && agents.gateway.errors > 0 ? [`agent_workload, gateway (${agents.gateway.errors})`] : []),
    ...(agents?.webhooks && agents.webhooks.errors > 0 ? [`agent_workload_webhooks, gateway (${agents.webhooks.errors})`] : []),
    ...(delay && delay.missed > 0 ? [`webhook_delay (${delay.missed} notifications missed)`] : [])
  ]
  if (failed.length > 0) {
    log(`\nBENCH FAILED: errors, non-2xx or wrong answers in ${failed.join(', ')}`)
    return 1
  }
  const missed = results.targets.filter((t) => !t.met)
  if (missed.length > 0) log(`\nTargets missed: ${missed.map((t) => t.name).join('; ')}`)
  return missed.length > 0 && process.env.BENCH_STRICT === '1' ? 1 : 0
}

try {
  process.exitCode = await main()
} catch (error) {
  log(`\nBENCH FAILED: ${(error as Error).stack ?? String(error)}`)
  process.exitCode = 1
} finally {
  for (const child of children) await child.stop()
}
