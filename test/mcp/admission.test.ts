// Session admission alone: which refusal, in which order, and what a refused initialize leaves.
import t from 'tap'
import { SessionAdmission, type AdmissionOptions } from '../../src/mcp/admission.js'
import { SessionStore } from '../../src/mcp/session-store.js'
import { Catalog } from '../../src/mcp/catalog.js'
import { FULL_ACCESS } from '../../src/auth/access.js'
import { memoryLogger } from '../github/harness.js'

const catalog = new Catalog({
  tools: [], prompts: [], templates: [], completers: [], instructions: 'i', logger: 'l',
  errors: { toolError: () => ({ message: 'x', internal: false }), protocolError: (e) => e as Error },
})
const caller = (id: string) => ({ id, name: id, access: FULL_ACCESS })

function admission (limits = { maxSessions: 2, maxPerKey: 1 }, more: Partial<AdmissionOptions> = {}) {
  let shuttingDown = false
  let full = 0
  const store = new SessionStore({ idleTtlMs: 60_000, ...limits })
  t.teardown(() => store.closeAll())
  const service = new SessionAdmission({
    store, catalog, logger: memoryLogger([]), shuttingDown: () => shuttingDown, onFull: () => { full++ }, ...more,
  })
  return { service, store, shutDown: () => { shuttingDown = true }, fullCount: () => full }
}

t.test('refusals: key full 429, server full 503, shutting down 503 before either', async (t) => {
  const { service, shutDown, fullCount } = admission()
  t.equal(service.refusal(caller('a')), null)
  await service.open(caller('a'))
  t.match(service.refusal(caller('a')), { status: 429, retryAfter: 30, message: /for this API key/ })
  await service.open(caller('b'))
  t.match(service.refusal(caller('c')), { status: 503, retryAfter: 30, message: /on this server/ })
  t.equal(fullCount(), 2, 'each refusal for lack of room is counted')
  shutDown()
  t.match(service.refusal(caller('c')), { status: 503, retryAfter: 5, message: 'Server is shutting down' })
  t.equal(fullCount(), 2, 'shutdown is not a lack of room')
})

t.test('a session that never completed initialize is closed by settle()', async (t) => {
  const { service, store } = admission()
  const session = await service.open(caller('a'))
  t.equal(store.size, 1)
  t.equal(service.settle(session), false, 'no client version: initialize was refused')
  t.equal(store.size, 0, 'and nothing is left behind')
})

t.test('audit() writes the audit line and reports the event of a call answered from another (modern-calls.ts)', async (t) => {
  const lines: Array<{ level: string, obj: Record<string, unknown>, msg?: string }> = []
  const events: unknown[] = []
  const { service } = admission(undefined, { logger: memoryLogger(lines), onToolCall: (e) => { events.push(e) } })
  const event = { tool: 'get_thing', key: 'alpha', target: 'some/where', outcome: 'ok' as const, durationMs: 3, shared: true }
  service.audit(event)
  t.same(events, [event], 'metrics see it as any call')
  t.same(lines, [{ level: 'info', obj: { tool: 'get_thing', key: 'alpha', [catalog.target.label]: 'some/where', outcome: 'ok', durationMs: 3 }, msg: 'tool call' }],
    'the same audit line as a call served on its own')
})
