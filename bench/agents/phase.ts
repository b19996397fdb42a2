// The agent workload, baseline then gateway (then, when asked, the gateway with webhooks on),
// against its own stand-in (GitHub's latency, secondary limits, people editing). For each server:
// every tool checked once, the agents' sessions opened, a warm-up, fresh secondary-limit windows,
// the measured run with the stand-in's usage read before and after, the sessions closed.
import { randomBytes } from 'node:crypto'
import type { FreshLimitsMessage, UsageMessage, WebhookMessage, WebhookSetMessage } from '../children/agent-standin.js'
import { AGENTS, BENCH, serverEnv } from '../config.js'
import { closeSession, openSession, post } from '../mcp-http.js'
import type { Child } from '../procs.js'
import { closeAgents, driveAgents, judge, openAgents } from './drive.js'
import { agentSide, usageDelta, type AgentResult, type AgentSide } from './report.js'
import { everyTool } from './workload.js'

export type Start = (name: string, entry: string, env: Record<string, string>) => Promise<Child>
export type Stop = (...children: Child[]) => Promise<void>

const log = (line: string) => process.stderr.write(`${line}\n`)

async function preflight (server: Child): Promise<void> {
  const session = await openSession(server.url)
  for (const call of everyTool()) {
    const answer = await post(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: call.name, arguments: call.arguments } }, session)
    const { outcome, detail } = judge(call, answer.status, answer.messages)
    if (outcome !== 'ok') throw new Error(`${server.name} answers ${call.name} wrongly in the agent workload: ${detail ?? outcome}`)
  }
  await closeSession(server.url, session)
}

async function measure (github: Child, server: Child): Promise<AgentSide> {
  // The previous server's measured run may have spent the search window: each server's checks
  // and warm-up start with windows of their own too (a run shorter than a minute met this).
  await github.ask<FreshLimitsMessage>({ type: 'fresh-limits' }, 'fresh-limits')
  await preflight(server)
  const sessions = await openAgents(server.url, AGENTS.agents)
  // Reads only: a search or update spent here would still count in the gateway's budgets during
  // the measured run, while the stand-in's windows are renewed before it (workload.ts LIMITED).
  const warm = await driveAgents(server.url, sessions, BENCH.warmupSeconds, { limited: false })
  log(`agent_workload       warm-up   ${server.name.padEnd(9)} ${warm.length} calls`)
  await github.ask<FreshLimitsMessage>({ type: 'fresh-limits' }, 'fresh-limits')
  const before = await github.ask<UsageMessage>({ type: 'usage' }, 'usage')
  const started = performance.now()
  const samples = await driveAgents(server.url, sessions, AGENTS.seconds)
  const seconds = (performance.now() - started) / 1000
  const after = await github.ask<UsageMessage>({ type: 'usage' }, 'usage')
  await closeAgents(server.url, sessions)
  const side = agentSide(samples, usageDelta(before, after), seconds, AGENTS.latencyMs)
  log(`agent_workload       measured  ${server.name.padEnd(9)} ${side.calls} calls in ${seconds.toFixed(1)} s, ` +
    `quota ${side.quotaPer1000.toFixed(0)}/1000 calls, added p50 ${side.added.p50.toFixed(1)} ms p99 ${side.added.p99.toFixed(1)} ms, ` +
    `errors ${side.errors} (${side.rateLimited} rate-limited)`)
  for (const example of side.examples) log(`  e.g. ${example}`)
  return side
}

/**
 * The gateway with GITHUB_WEBHOOK_SECRET (WEBHOOK_FRESHNESS_MS at its default), the stand-in's
 * hook pointed at it: a ping first, as GitHub sends when a hook is created, then a signed delivery
 * for every change, the agents' updates and the people's edits alike. The hook is removed after.
 */
async function measureWithWebhooks (github: Child, start: Start, stop: Stop, entry: string): Promise<AgentSide> {
  const secret = randomBytes(32).toString('hex')
  const gateway = await start('gateway+webhooks', entry, { ...serverEnv(github.url, false), GITHUB_WEBHOOK_SECRET: secret })
  const hook = (target: WebhookMessage['target']) => {
    const message: WebhookMessage = { type: 'webhook', target }
    return github.ask<WebhookSetMessage>(message, 'webhook-set')
  }
  const { pingStatus } = await hook({ url: `${gateway.url}/webhooks/github`, secret })
  if (pingStatus !== 200) throw new Error(`the gateway answered the stand-in's webhook ping with ${pingStatus}`)
  try {
    return await measure(github, gateway)
  } finally {
    await hook(null)
    await stop(gateway)
  }
}

export async function agentWorkload (start: Start, stop: Stop, entries: { baseline: string, gateway: string }, withWebhooks: boolean): Promise<AgentResult> {
  const github = await start('agent-standin', 'bench/children/agent-standin.ts', {
    STANDIN_LATENCY_MS: String(AGENTS.latencyMs), STANDIN_EDITS_PER_SECOND: String(AGENTS.editsPerSecond)
  })
  log(`agent_workload: stand-in at ${github.url}; ${AGENTS.agents} agents, ${AGENTS.seconds} s per server`)
  const baseline = await start('baseline', entries.baseline, serverEnv(github.url, false))
  const gateway = await start('gateway', entries.gateway, serverEnv(github.url, false))
  const result: AgentResult = {
    settings: { ...AGENTS },
    baseline: await measure(github, baseline),
    gateway: await measure(github, gateway)
  }
  await stop(baseline, gateway)
  if (withWebhooks) result.webhooks = await measureWithWebhooks(github, start, stop, entries.gateway)
  await stop(github)
  return result
}
