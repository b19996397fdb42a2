// Turning rounds into results: the median round per server, gateway/baseline ratios, and the
// targets (docs/benchmarks.md) checked against them. Pure functions; the runner and the tests share them.
import { failures, type RoundStats } from './cannon.js'
import type { AgentResult, AgentSide } from './agents/report.js'
import type { MemoryRound } from './memory.js'
import type { Scenario, ScenarioId } from './scenarios.js'
import type { WebhookDelayResult } from './webhook-delay.js'

/** The median element by `value` (the lower one for an even count), so a reported round is real. */
export function median<T> (items: T[], value: (item: T) => number): T {
  if (items.length === 0) throw new Error('median of nothing')
  const sorted = [...items].sort((a, b) => value(a) - value(b))
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

export interface Side<T> { rounds: T[], median: T }

export interface ScenarioResult {
  id: ScenarioId
  title: string
  /** The protocol era of its requests, and so which baseline it was measured against. */
  era: Scenario['era']
  /** Set for the handler experiment's rows: `baseline` is then the gateway served by the SDK's handler. */
  experiment?: Scenario['experiment']
  unit: Scenario['unit']
  baseline: Side<RoundStats>
  gateway: Side<RoundStats>
  /** gateway rate / baseline rate, median rounds. */
  ratio: number
  minRatio?: number
  /** Error-like answers over every round (warm-up included) of both servers. */
  failures: number
}

export interface MemoryResult {
  baseline: Side<MemoryRound>
  gateway: Side<MemoryRound>
  /** gateway bytes per idle session / baseline's (RSS). */
  ratio: number
}

export interface Target { name: string, value: number, goal: string, met: boolean }

export const TARGETS = { p99Ms: 25, memoryRatio: 1 / 5, webhookQuotaRatio: 1 / 3, webhookDelayP99Ms: 1000 }

export function scenarioResult (scenario: Scenario, baseline: RoundStats[], gateway: RoundStats[], warmupFailures: number): ScenarioResult {
  const b = median(baseline, (s) => s.rps)
  const g = median(gateway, (s) => s.rps)
  return {
    id: scenario.id,
    title: scenario.title,
    era: scenario.era,
    ...(scenario.experiment !== undefined && { experiment: scenario.experiment }),
    unit: scenario.unit,
    baseline: { rounds: baseline, median: b },
    gateway: { rounds: gateway, median: g },
    ratio: b.rps > 0 ? g.rps / b.rps : Infinity,
    ...(scenario.minRatio !== undefined && { minRatio: scenario.minRatio }),
    failures: warmupFailures + [...baseline, ...gateway].reduce((n, s) => n + failures(s), 0)
  }
}

export function memoryResult (baseline: MemoryRound[], gateway: MemoryRound[]): MemoryResult {
  const b = median(baseline, (m) => m.rssPerSession)
  const g = median(gateway, (m) => m.rssPerSession)
  return { baseline: { rounds: baseline, median: b }, gateway: { rounds: gateway, median: g }, ratio: g.rssPerSession / b.rssPerSession }
}

/** The gateway with webhooks on against the gateway without: a third of the quota, less latency added, no errors. */
function webhookTargets (without: AgentSide, hooked: AgentSide): Target[] {
  const quota = without.quotaPer1000 > 0 ? hooked.quotaPer1000 / without.quotaPer1000 : (hooked.quotaPer1000 > 0 ? Infinity : 0)
  return [
    { name: 'agent workload, webhooks on: quota per 1,000 calls / without webhooks', value: quota, goal: '≤ 1/3 (0.33)', met: quota <= TARGETS.webhookQuotaRatio },
    { name: 'agent workload, webhooks on: latency added p50 (ms)', value: hooked.added.p50, goal: `< without webhooks (${without.added.p50.toFixed(1)})`, met: hooked.added.p50 < without.added.p50 },
    { name: 'agent workload, webhooks on: latency added p99 (ms)', value: hooked.added.p99, goal: `< without webhooks (${without.added.p99.toFixed(1)})`, met: hooked.added.p99 < without.added.p99 },
    { name: 'agent workload, webhooks on: gateway errors (rate-limited included)', value: hooked.errors, goal: '0', met: hooked.errors === 0 }
  ]
}

/** The targets: ratios per scenario, memory, the gateway's p99 in every scenario, no errors. */
export function evaluateTargets (scenarios: ScenarioResult[], memory: MemoryResult | undefined, agents?: AgentResult, delay?: WebhookDelayResult): Target[] {
  const targets: Target[] = []
  for (const s of scenarios) {
    if (s.minRatio !== undefined) {
      targets.push({ name: `${s.title}: gateway/baseline`, value: s.ratio, goal: `≥ ${s.minRatio}×`, met: s.ratio >= s.minRatio })
    }
  }
  if (memory) {
    targets.push({
      name: 'memory per idle session: gateway/baseline', value: memory.ratio,
      goal: '≤ 1/5 (0.20)', met: memory.ratio <= TARGETS.memoryRatio
    })
  }
  for (const s of scenarios) {
    const p99 = s.gateway.median.p99
    targets.push({ name: `${s.title}: gateway p99 (ms)`, value: p99, goal: `≤ ${TARGETS.p99Ms} ms`, met: p99 <= TARGETS.p99Ms })
  }
  for (const s of scenarios) {
    targets.push({ name: `${s.title}: errors, non-2xx, wrong answers`, value: s.failures, goal: '0', met: s.failures === 0 })
  }
  if (agents) {
    const errors = agents.gateway.errors
    targets.push({ name: 'agent workload: gateway errors (rate-limited included)', value: errors, goal: '0', met: errors === 0 })
  }
  if (agents?.webhooks) targets.push(...webhookTargets(agents.gateway, agents.webhooks))
  if (delay) {
    targets.push(
      { name: 'webhook → notification on the other replica: p99 (ms)', value: delay.delay.p99, goal: `< ${TARGETS.webhookDelayP99Ms} ms`, met: delay.missed === 0 && delay.delay.p99 < TARGETS.webhookDelayP99Ms },
      { name: 'webhook → notification on the other replica: notifications missed', value: delay.missed, goal: '0', met: delay.missed === 0 }
    )
  }
  return targets
}
