// Identical read-only tool calls in flight share one run; nothing else is shared.
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { Catalog, defineTool } from '../../src/mcp/catalog.js'
import { callTool } from '../../src/mcp/tool-call.js'
import type { ToolContext } from '../../src/mcp/catalog-types.js'
import { FULL_ACCESS } from '../../src/auth/access.js'
import { memoryLogger } from '../github/harness.js'

interface Gate { runs: number, signals: AbortSignal[], open (): void }

/** A read tool whose runs wait until the gate opens, and a write tool that does not wait. */
function gated () {
  let release!: () => void
  let opened = new Promise<void>((resolve) => { release = resolve })
  const gate: Gate = { runs: 0, signals: [], open: () => release() }
  const run = async (args: { n: number }, ctx: ToolContext) => {
    gate.runs++
    gate.signals.push(ctx.signal)
    await ctx.log('info', `reading ${args.n}`)
    await opened
    return { text: `item ${args.n}`, data: { n: args.n } }
  }
  const spec = (name: string, readOnlyHint: boolean) => defineTool({
    name, title: name, description: 'd', access: readOnlyHint ? 'read' : 'write',
    input: Type.Object({ n: Type.Integer() }), output: Type.Object({ n: Type.Integer() }),
    hints: { readOnlyHint, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: readOnlyHint ? run : async (args: { n: number }) => { gate.runs++; return { text: `wrote ${args.n}`, data: { n: args.n } } },
  })
  const catalog = new Catalog({
    tools: [spec('read', true), spec('write', false)], prompts: [], templates: [], completers: [],
    errors: { toolError: () => ({ message: 'x', status: null, internal: false }) },
  } as unknown as ConstructorParameters<typeof Catalog>[0])
  const reopen = () => { opened = new Promise<void>((resolve) => { release = resolve }) }
  return { catalog, gate, reopen }
}

const session = (keyName = 'k') => ({ keyName, access: FULL_ACCESS, logger: memoryLogger([]) })
function context (extra: Partial<ToolContext> = {}) {
  const controller = new AbortController()
  const logs: string[] = []
  const ctx: ToolContext = { access: FULL_ACCESS, signal: controller.signal, progress: async () => {}, log: async (_l, m) => { logs.push(m) }, ...extra }
  return { ctx, controller, logs }
}
const settle = () => new Promise((resolve) => setImmediate(resolve))

t.test('identical read calls in flight share one run; each caller gets the result and its logs', async (t) => {
  const { catalog, gate } = gated()
  const a = context()
  const b = context()
  const first = callTool(catalog, 'read', { n: 1 }, session(), a.ctx)
  await settle()
  const second = callTool(catalog, 'read', { n: 1 }, session(), b.ctx)
  await settle()
  const logged = 'reading 1'
  gate.open()
  const [ra, rb] = await Promise.all([first, second])
  t.equal(gate.runs, 1, 'one run')
  t.same(ra, rb)
  t.same(ra.structuredContent, { n: 1 })
  t.same(a.logs, [logged], 'the first caller saw the run\'s log')
  t.equal(catalog.shared.stats.shared, 1)

  await callTool(catalog, 'read', { n: 1 }, session(), context().ctx)
  t.equal(gate.runs, 2, 'nothing is remembered once a run has landed')
})

t.test('a caller that joins before the run logs receives its log notifications too', async (t) => {
  const { catalog, gate } = gated()
  const a = context()
  const b = context()
  const both = [callTool(catalog, 'read', { n: 3 }, session(), a.ctx), callTool(catalog, 'read', { n: 3 }, session(), b.ctx)]
  gate.open()
  await Promise.all(both)
  t.equal(gate.runs, 1)
  t.same(a.logs, ['reading 3'])
  t.same(b.logs, ['reading 3'])
})

t.test('different arguments, keys, write tools and calls that asked for progress each run alone', async (t) => {
  const { catalog, gate } = gated()
  const calls = [
    callTool(catalog, 'read', { n: 1 }, session(), context().ctx),
    callTool(catalog, 'read', { n: 2 }, session(), context().ctx),
    callTool(catalog, 'read', { n: 1 }, session('other-key'), context().ctx),
    callTool(catalog, 'read', { n: 1 }, session(), context({ tracksProgress: true }).ctx),
    callTool(catalog, 'write', { n: 1 }, session(), context().ctx),
    callTool(catalog, 'write', { n: 1 }, session(), context().ctx),
  ]
  gate.open()
  await Promise.all(calls)
  t.equal(gate.runs, 6)
  t.equal(catalog.shared.stats.shared, 0)
})

t.test('one caller leaving does not cancel the run for the others; the last one leaving does', async (t) => {
  const { catalog, gate, reopen } = gated()
  const a = context()
  const b = context()
  const first = callTool(catalog, 'read', { n: 1 }, session(), a.ctx)
  const second = callTool(catalog, 'read', { n: 1 }, session(), b.ctx)
  await settle()
  a.controller.abort()
  t.equal((await first).isError, true, 'the caller that left ends (the SDK sends nothing for a cancelled request)')
  t.notOk(gate.signals[0].aborted, 'the run goes on for the caller still waiting')
  gate.open()
  t.same((await second).structuredContent, { n: 1 })

  reopen()
  const c = context()
  const d = context()
  const third = callTool(catalog, 'read', { n: 5 }, session(), c.ctx)
  const fourth = callTool(catalog, 'read', { n: 5 }, session(), d.ctx)
  await settle()
  c.controller.abort()
  d.controller.abort()
  await Promise.allSettled([third, fourth])
  t.ok(gate.signals[1].aborted, 'nobody waits: the run is cancelled')
  const again = callTool(catalog, 'read', { n: 5 }, session(), context().ctx)
  await settle()
  t.equal(gate.runs, 3, 'a new call after everyone left starts afresh, not joining the cancelled run')
  gate.open()
  await again
})

t.test('a read issued after a write never joins a read that started before it', async (t) => {
  const { catalog, gate } = gated()
  const before = callTool(catalog, 'read', { n: 1 }, session(), context().ctx)
  await settle()
  await callTool(catalog, 'write', { n: 1 }, session(), context().ctx)
  const after = callTool(catalog, 'read', { n: 1 }, session(), context().ctx)
  await settle()
  gate.open()
  await Promise.all([before, after])
  t.equal(gate.runs, 3, 'the read before, the write, and a fresh read after it')
  t.equal(catalog.shared.stats.shared, 0)
})
