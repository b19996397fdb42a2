// What one agent does, as a deterministic plan: each pass lists the fleet's open issues, reads
// four of the fifty hot issues, reads one issue's comments, searches one time in ten and updates
// an issue one time in twenty. Seeded per agent, so the baseline and the gateway are sent the same
// calls in the same order.
import { FLEET, HOT_ISSUES, fleetTitle } from './seed.js'

export interface ToolCall {
  name: string
  arguments: Record<string, unknown>
  /** A correct answer's text contains this (empty: any non-error result is correct). */
  expect: string
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function random (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), a | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }
}

export const SHARES = { search: 0.1, update: 0.05 }
/**
 * The calls GitHub's secondary limits count (searches, content-changing writes): the warm-up leaves
 * them out, so that each server's measured run starts with those windows unspent on both sides,
 * GitHub's (the stand-in's are renewed before it) and the gateway's budgets, which mirror them.
 */
export const LIMITED: ReadonlySet<string> = new Set(['search_issues', 'update_issue'])
const WORDS = ['sync', 'retry', 'cache', 'start', 'flaky', 'config', 'update', 'memory']

/** The calls of one pass of the loop. `pass` numbers them per agent (it goes into update bodies). */
export function pass (rand: () => number, agent: number, n: number): ToolCall[] {
  const issue = () => 1 + Math.floor(rand() * HOT_ISSUES)
  const reads = [issue(), issue(), issue(), issue()]
  const calls: ToolCall[] = [
    { name: 'list_issues', arguments: { ...FLEET, state: 'open', limit: 20 }, expect: 'Fleet task' },
    ...reads.map((number) => ({ name: 'get_issue', arguments: { ...FLEET, issue_number: number }, expect: fleetTitle(number) })),
    { name: 'list_issue_comments', arguments: { ...FLEET, issue_number: reads[0] }, expect: '' }
  ]
  if (rand() < SHARES.search) {
    const word = WORDS[Math.floor(rand() * WORDS.length)]
    calls.push({ name: 'search_issues', arguments: { query: `repo:${FLEET.owner}/${FLEET.repo} is:issue is:open ${word}`, limit: 10 }, expect: '' })
  }
  if (rand() < SHARES.update) {
    const number = issue()
    calls.push({
      name: 'update_issue',
      arguments: { ...FLEET, issue_number: number, body: `Triaged by agent ${agent} on pass ${n}.` },
      expect: fleetTitle(number)
    })
  }
  return calls
}

/** One call of every tool the plan uses, checked on each server before anything is timed. */
export function everyTool (): ToolCall[] {
  const calls = pass(() => 0, 0, 0) // 0 < every share: the search and the update are in
  return calls.filter((c, i) => calls.findIndex((d) => d.name === c.name) === i)
}
