// The agent workload's rows: what an operator pays. GitHub quota per 1,000 tool calls (from the
// stand-in's own count: a 304 spends none), the latency a call adds over GitHub's own (the
// stand-in's fixed answer delay subtracted), and errors. Pure functions; the tests use them too.
import type { StandinUsage } from '../../sandbox/github-standin.js'
import type { CallSample } from './drive.js'

export interface Percentiles { p50: number, p99: number }

export interface AgentSide {
  seconds: number
  calls: number
  callsPerSecond: number
  /** What the run cost the stand-in's token (after − before). */
  usage: StandinUsage
  quotaPer1000: number
  latency: Percentiles
  /** latency − the stand-in's answer delay. */
  added: Percentiles
  byTool: Record<string, { calls: number } & Percentiles>
  /** Calls that did not get a correct answer, rate-limited ones included. */
  errors: number
  /** Of those, tool errors saying GitHub's rate limit refused the call. */
  rateLimited: number
  /** The first few distinct kinds of error text, for the log. */
  examples: string[]
}

export interface AgentSettings { agents: number, seconds: number, latencyMs: number, editsPerSecond: number }
export interface AgentResult {
  settings: AgentSettings
  baseline: AgentSide
  gateway: AgentSide
  /** The gateway with webhooks on (agent_workload_webhooks), when it ran. */
  webhooks?: AgentSide
}

/** Nearest-rank percentile (a value that occurred), 0 for no values. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

const percentiles = (values: number[], minus = 0): Percentiles =>
  ({ p50: percentile(values, 50) - minus, p99: percentile(values, 99) - minus })

export function usageDelta (before: StandinUsage, after: StandinUsage): StandinUsage {
  return {
    requests: after.requests - before.requests,
    quotaSpent: after.quotaSpent - before.quotaSpent,
    notModified: after.notModified - before.notModified,
    secondaryLimited: after.secondaryLimited - before.secondaryLimited,
    spentBy: Object.fromEntries(Object.entries(after.spentBy)
      .map(([route, n]) => [route, n - (before.spentBy[route] ?? 0)] as const).filter(([, n]) => n > 0))
  }
}

export function agentSide (samples: CallSample[], usage: StandinUsage, seconds: number, latencyMs: number): AgentSide {
  const byTool: AgentSide['byTool'] = {}
  for (const tool of [...new Set(samples.map((s) => s.tool))]) {
    const ms = samples.filter((s) => s.tool === tool).map((s) => s.ms)
    byTool[tool] = { calls: ms.length, ...percentiles(ms) }
  }
  const failed = samples.filter((s) => s.outcome !== 'ok')
  const all = samples.map((s) => s.ms)
  return {
    seconds,
    calls: samples.length,
    callsPerSecond: seconds > 0 ? samples.length / seconds : 0,
    usage,
    quotaPer1000: samples.length > 0 ? (usage.quotaSpent / samples.length) * 1000 : 0,
    latency: percentiles(all),
    added: percentiles(all, latencyMs),
    byTool,
    errors: failed.length,
    rateLimited: failed.filter((s) => s.outcome === 'rate-limited').length,
    // Error texts differ by request id or wait; their first words tell the kinds apart.
    examples: [...new Set(failed.map((s) => (s.detail ?? s.outcome).slice(0, 100)))].slice(0, 3)
  }
}

// Where the quota went, by the routes the workload's tools call.
const SPENT_ON: Array<[string, string]> = [
  ['GET /repos/:owner/:repo/issues/:number', 'issue reads'],
  ['GET /repos/:owner/:repo/issues', 'issue lists'],
  ['GET /repos/:owner/:repo/issues/:number/comments', 'comment lists'],
  ['GET /search/issues', 'searches'],
  ['PATCH /repos/:owner/:repo/issues/:number', 'issue updates'],
]

const n0 = (x: number) => Math.round(x).toLocaleString('en-US')
const ms = (x: number) => x.toFixed(1)

export function agentTable (r: AgentResult): string {
  const { settings: s } = r
  const sides = [r.baseline, r.gateway, ...(r.webhooks ? [r.webhooks] : [])]
  const row = (name: string, f: (side: AgentSide) => string) => `| ${name} | ${sides.map(f).join(' | ')} |`
  const tools = [...new Set(sides.flatMap((x) => Object.keys(x.byTool)))]
  const tool = (side: AgentSide, name: string) => {
    const t = side.byTool[name]
    return t ? `${ms(t.p50)} / ${ms(t.p99)} (${n0(t.calls)})` : '—'
  }
  return [
    `| agent workload (${s.agents} agents, ${s.seconds} s, GitHub answering after ${s.latencyMs} ms, ${s.editsPerSecond} edits/s) | baseline | gateway |${r.webhooks ? ' gateway, webhooks on |' : ''}`,
    `|---|${sides.map(() => '---:').join('|')}|`,
    row('tool calls (per second)', (x) => `${n0(x.calls)} (${x.callsPerSecond.toFixed(1)}/s)`),
    row('**GitHub quota per 1,000 tool calls**', (x) => `**${n0(x.quotaPer1000)}**`),
    row('upstream requests: spent quota / 304 / secondary-limit 403', (x) => `${n0(x.usage.quotaSpent)} / ${n0(x.usage.notModified)} / ${n0(x.usage.secondaryLimited)}`),
    ...SPENT_ON.map(([route, what]) => row(`quota spent on ${what}`, (x) => n0(x.usage.spentBy?.[route] ?? 0))),
    row(`**latency added over GitHub's** p50 / p99 ms (call − ${s.latencyMs} ms)`, (x) => `**${ms(x.added.p50)} / ${ms(x.added.p99)}**`),
    row('tool call latency p50 / p99 ms', (x) => `${ms(x.latency.p50)} / ${ms(x.latency.p99)}`),
    row('errors (of which rate-limited by GitHub)', (x) => `${n0(x.errors)} (${n0(x.rateLimited)})`),
    ...tools.map((name) => row(`\`${name}\` p50 / p99 ms (calls)`, (x) => tool(x, name)))
  ].join('\n')
}
