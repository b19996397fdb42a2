// Running one scenario against a baseline/gateway pair: check both answer correctly, open the
// sessions it needs, warm up, then measured rounds alternating baseline and gateway (A B A B …).
import { BENCH } from './config.js'
import { failures, fire, type RoundStats } from './cannon.js'
import { closeSession, inBatches, openSession, post } from './mcp-http.js'
import type { Child } from './procs.js'
import { scenarioResult, type ScenarioResult } from './report.js'
import type { Scenario } from './scenarios.js'

export interface Pair { baseline: Child, gateway: Child }

const log = (line: string) => process.stderr.write(`${line}\n`)
const fmt = (s: RoundStats) =>
  `${Math.round(s.rps).toString().padStart(6)}/s  p50 ${s.p50} ms  p99 ${s.p99} ms  failures ${failures(s)}`

/** One full answer, checked before any timing: a fast wrong server must not get measured. */
async function preflight (child: Child, scenario: Scenario): Promise<void> {
  const session = scenario.sessionPerConnection ? await openSession(child.url) : undefined
  const answer = await post(child.url, scenario.body, session, !scenario.opensSessions)
  const problem = answer.status === 200 ? scenario.check(answer.messages) : `HTTP ${answer.status}`
  for (const id of [session, scenario.opensSessions ? answer.sessionId : undefined]) {
    if (id) await closeSession(child.url, id)
  }
  if (problem) throw new Error(`${child.name} answers ${scenario.id} wrongly: ${problem}`)
}

/** `count` sessions opened on `child`, ten at a time. */
export async function openMany (child: Pick<Child, 'url'>, count: number): Promise<string[]> {
  const ids: string[] = []
  await inBatches(Array.from({ length: count }), 10, async () => { ids.push(await openSession(child.url)) })
  return ids
}

/**
 * A measured (or warm-up) round; sessions an initialize round opened are closed afterwards.
 * autocannon ends a round without reading answers still in flight, so up to one session per
 * connection goes unseen and stays open; the stateful processes are discarded after their phase.
 */
async function round (child: Child, scenario: Scenario, seconds: number, sessions?: string[]): Promise<RoundStats> {
  const opened: string[] = []
  const stats = await fire({
    url: child.url, scenario, seconds, connections: BENCH.connections, sessions,
    onSession: scenario.opensSessions ? (id) => opened.push(id) : undefined
  })
  await inBatches(opened, 20, (id) => closeSession(child.url, id))
  return stats
}

export async function runScenario (pair: Pair, scenario: Scenario): Promise<ScenarioResult> {
  const sides = [pair.baseline, pair.gateway]
  for (const child of sides) await preflight(child, scenario)
  const sessions = new Map<Child, string[] | undefined>()
  for (const child of sides) {
    sessions.set(child, scenario.sessionPerConnection ? await openMany(child, BENCH.connections) : undefined)
  }

  let warmupFailures = 0
  for (const child of sides) {
    const warm = await round(child, scenario, BENCH.warmupSeconds, sessions.get(child))
    warmupFailures += failures(warm)
    log(`${scenario.id.padEnd(20)} warm-up   ${child.name.padEnd(9)} ${fmt(warm)}`)
  }
  const rounds = new Map<Child, RoundStats[]>(sides.map((c) => [c, []]))
  for (let r = 1; r <= BENCH.rounds; r++) {
    for (const child of sides) {
      const stats = await round(child, scenario, BENCH.seconds, sessions.get(child))
      rounds.get(child)!.push(stats)
      log(`${scenario.id.padEnd(20)} round ${r}/${BENCH.rounds} ${child.name.padEnd(9)} ${fmt(stats)}`)
    }
  }
  for (const child of sides) {
    await inBatches(sessions.get(child) ?? [], 10, (id) => closeSession(child.url, id))
  }
  return scenarioResult(scenario, rounds.get(pair.baseline)!, rounds.get(pair.gateway)!, warmupFailures)
}
