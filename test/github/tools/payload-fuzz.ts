// The schema-fuzz runner (payload-fuzz-*.test.ts): for each target (a tool, resource or prompt),
// each GitHub answer it reads is served by the stand-in in every variant of payload-variants.ts, one
// at a time. Every variant must give a normal result or a clean error: never "Internal error", a
// stack, an output that fails its schema, or an error logged as a gateway bug; and a change inside
// one list item (or one label of an issue) must not fail the answer at all.
import type { Test } from 'tap'
import { harness, textOf, type Harness } from '../harness.js'
import { variantsOf } from './payload-variants.js'

interface Outcome { failed: boolean, threw?: boolean, text: string }
type Run = (h: Harness) => Promise<Outcome>
export interface Upstream { method: string, path: string }
export interface Target { label: string, run: Run, reads: Upstream[], prepare?: (h: Harness) => void }

const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))
export const tool = (name: string, args: Record<string, unknown>): Run => async (h) => {
  try {
    const r = await h.call(name, args)
    return { failed: r.isError === true, text: textOf(r) }
  } catch (e) { // the SDK client refuses structuredContent that does not match the outputSchema
    return { failed: true, threw: true, text: message(e) }
  }
}
export const resource = (uri: string): Run => async (h) => {
  try {
    return { failed: false, text: JSON.stringify((await h.client.readResource({ uri })).contents) }
  } catch (e) { return { failed: true, text: message(e) } } // a JSON-RPC error is how resources fail
}
export const prompt = (name: string, args: Record<string, string>): Run => async (h) => {
  try {
    return { failed: false, text: JSON.stringify((await h.client.getPrompt({ name, arguments: args })).messages) }
  } catch (e) { return { failed: true, text: message(e) } }
}

export const W = '/repos/octo-org/widgets'
export const widgets = { owner: 'octo-org', repo: 'widgets' }
export const get = (path: string): Upstream => ({ method: 'GET', path })

/** The newest issue, the first of every listing, carries labels and assignees to be fuzzed too. */
export function richNewest (h: Harness): void {
  const newest = h.standin.state.repos[0].issues.reduce((a, b) => (a.number > b.number ? a : b))
  Object.assign(newest, { labels: ['bug', 'needs triage'], assignees: ['bob', 'alice'] })
}

/** A week with news in it: three issues created or updated within the last seven days. */
export function recentWeek (h: Harness): void {
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const [a, b, c] = h.standin.state.repos[0].issues.filter((i) => i.pull_request === undefined && i.state === 'open')
  Object.assign(a, { created_at: day(2), updated_at: day(1) })
  Object.assign(b, { updated_at: day(3) })
  Object.assign(c, { state: 'closed', closed_at: day(1), updated_at: day(1) })
}


// What a model must never see: a gateway bug, a stack, or a value rendered without being read.
const GARBAGE = /Internal error|\n\s+at \S|TypeError|\bundefined\b|\bNaN\b|\[object Object\]/

/** The answer the stand-in really gives, as the target reads it. */
async function sample (h: Harness, target: Target, up: Upstream): Promise<unknown> {
  let seen: unknown
  const undo = h.standin.rewriteBodies(up, (body) => { seen ??= structuredClone(body); return body })
  await target.run(h)
  undo()
  return seen
}

const pathOf = (logged: string): string => logged.split('?')[0]

/** One subtest per target, with its own stand-in and gateway. */
export function fuzz (t: Test, targets: Target[]): void {
  for (const target of targets) {
    t.test(`${target.label}: every field of every GitHub answer removed, nulled, wrong-typed`, async (t) => {
      const h = await harness(t)
      h.standin.setRateLimit(1e6) // thousands of calls: GitHub's hourly quota is not what is tested here
      h.standin.setSearchRateLimit(1e6)
      target.prepare?.(h)
      const problems: string[] = []
      let tried = 0
      for (const up of target.reads) {
        const base = await sample(h, target, up)
        t.ok(base !== undefined, `${up.method} ${up.path} is read by ${target.label}`)
        for (const v of variantsOf(base)) {
          const logged = h.logs.length
          const asked = h.standin.requests.length
          const undo = h.standin.rewriteBodies(up, v.change)
          const out = await target.run(h)
          undo()
          tried++
          const where = `${up.method} ${up.path} ${v.label}`
          if (out.threw === true) problems.push(`${where}: threw ${out.text}`)
          else if (GARBAGE.test(out.text)) problems.push(`${where}: ${out.text.slice(0, 300)}`)
          else if (v.inItem && out.failed) problems.push(`${where}: one item failed the whole answer: ${out.text.slice(0, 200)}`)
          const bugs = h.logs.slice(logged).filter((l) => l.level === 'error')
          if (bugs.length > 0) problems.push(`${where}: logged as a gateway bug: ${bugs[0].msg ?? ''}`)
          if (!h.standin.requests.slice(asked).some((r) => r.method === up.method && pathOf(r.path) === up.path)) {
            problems.push(`${where}: the changed answer was never requested`)
          }
        }
      }
      t.same(problems.slice(0, 20), [], `${tried} variants, each a normal result or a clean error (${problems.length} problems)`)
      t.ok(tried > 50, `${tried} variants tried`)
    })
  }
}
