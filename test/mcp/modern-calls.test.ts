// Identical 2026-07-28 read-only tool calls in flight share one SDK exchange (modern-calls.ts):
// what is shared, what never is, and that each request still gets its own id and audit line.
import t, { type Test } from 'tap'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { createGitHubDomain } from '../../src/github/index.js'
import { classify, ModernEra } from '../../src/mcp/modern.js'
import { createSessionServer, type ToolCallEvent } from '../../src/mcp/session-server.js'
import type { Caller } from '../../src/mcp/session-context.js'
import { FULL_ACCESS } from '../../src/auth/access.js'
import { startGitHubStandin } from '../../sandbox/github-standin.js'
import { memoryLogger, ROOMY_BUDGETS } from '../github/harness.js'
import { until } from '../spawn.js'
import { LOG_LEVEL, post, toolCall, widgets, type Reply, type RpcRequest } from './era-2026-kit.js'

const CALLERS: Record<string, Caller> = {
  alpha: { id: 'key-alpha', name: 'alpha', access: FULL_ACCESS },
  bravo: { id: 'key-bravo', name: 'bravo', access: FULL_ACCESS },
}

type Hold = (method: string, url: string) => boolean
const ISSUE_1 = /^\/repos\/octo-org\/widgets\/issues\/1(?:\?|$)/
/** GET requests for issue 1. */
const READS_OF_ISSUE_1: Hold = (method, url) => method === 'GET' && ISSUE_1.test(url)

/**
 * The GitHub stand-in behind a gate: the requests `hold` picks wait until the gate opens, so the
 * call that makes one stays in flight while others arrive. Everything else passes straight through.
 */
async function gatedGitHub (t: Test, hold: Hold) {
  const github = await startGitHubStandin()
  let open!: () => void
  const opened = new Promise<void>((resolve) => { open = resolve })
  const held = { count: 0 }
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = []
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
    return chunks.length === 0 ? undefined : Buffer.concat(chunks)
  }
  const server = createServer((req, res) => {
    void (async () => {
      if (hold(req.method ?? 'GET', req.url ?? '/')) {
        held.count++
        await opened
      }
      const headers: Record<string, string> = {}
      for (const name of ['authorization', 'accept', 'content-type', 'if-none-match', 'user-agent']) {
        const value = req.headers[name]
        if (typeof value === 'string') headers[name] = value
      }
      const answer = await fetch(github.url + (req.url ?? '/'), { method: req.method, headers, body: await body(req) })
      const out: Record<string, string> = {}
      answer.headers.forEach((value, name) => { if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding') out[name] = value })
      const bytes = Buffer.from(await answer.arrayBuffer())
      res.writeHead(answer.status, { ...out, 'content-length': String(bytes.byteLength) })
      res.end(bytes)
    })().catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    open()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await github.close()
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    github,
    held,
    open: () => open(),
  }
}

/** A bare app serving 2026 requests through ModernEra, as plugins/mcp.ts does; `x-caller` picks the caller. */
async function gateway (t: Test, hold: Hold = READS_OF_ISSUE_1) {
  const gate = await gatedGitHub(t, hold)
  const logger = memoryLogger([])
  const domain = createGitHubDomain({ token: 'sandbox-token', baseUrl: gate.url, logger, budgets: ROOMY_BUDGETS })
  const { catalog } = domain
  /** Every audit event: the ones of calls served by the SDK and of those answered from another. */
  const events: ToolCallEvent[] = []
  const servers = { built: 0 }
  const modern = new ModernEra({
    catalog,
    logger,
    serverFor: (caller, observe) => {
      servers.built++
      return createSessionServer(catalog, {
        keyName: caller.name, keyId: caller.id, access: caller.access, logger,
        onToolCall: (e) => { events.push(e); observe?.(e) },
      }, 'modern')
    },
    audit: (e) => { events.push(e) },
    maxListeners: 10,
  })
  const app = Fastify({ forceCloseConnections: true })
  app.post('/mcp', async (request, reply) => {
    const era = classify(request)
    const caller = CALLERS[String(request.headers['x-caller'] ?? 'alpha')]
    if (era.kind === 'unchecked') return await modern.serve(request, reply, caller, undefined)
    if (era.kind === 'modern') return await modern.serve(request, reply, caller, era)
    return reply.code(400).send({ error: `not served here: ${era.kind}` })
  })
  app.addHook('preClose', async () => { await modern.close() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => {
    gate.open()
    await app.close()
    await domain.close()
  })
  const target = { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`, auth: {} }
  const send = (body: RpcRequest, headers: Record<string, string | undefined> = {}, signal?: AbortSignal) => post(target, body, headers, signal)
  return { modern, gate, events, servers, send }
}

const issue1 = (id: string | number, meta: Record<string, unknown> = {}) => toolCall(id, 'get_issue', { ...widgets, issue_number: 1 }, meta)
const resultOf = (r: Reply) => r.answer?.result as Record<string, unknown> | undefined

t.test('identical read-only calls in flight are answered from one exchange, each under its own id and audited', async (t) => {
  const g = await gateway(t)
  const leader = g.send(issue1(1))
  await until(() => g.gate.held.count === 1, 'g.gate.held.count === 1')
  const others = [g.send(issue1('two')), g.send(issue1(3))]
  await until(() => g.modern.sharedCalls.waiting === 2, 'g.modern.sharedCalls.waiting === 2')
  t.same(g.modern.sharedCalls, { inFlight: 1, waiting: 2 })
  g.gate.open()
  const replies = [await leader, ...await Promise.all(others)]

  t.same(replies.map((r) => [r.status, r.answer?.id]), [[200, 1], [200, 'two'], [200, 3]], 'each answered under its own id')
  const first = resultOf(replies[0])
  t.match(first, { resultType: 'complete', structuredContent: { number: 1 } })
  for (const r of replies.slice(1)) t.same(resultOf(r), first, 'the same result')
  t.equal(replies[1].headers['content-type'], replies[0].headers['content-type'])
  t.equal(g.servers.built, 1, 'one SDK exchange served all three')
  t.equal(g.gate.held.count, 1, 'one GitHub request')
  t.same(g.modern.sharedCalls, { inFlight: 0, waiting: 0 }, 'nothing is kept once the exchange has landed')

  t.equal(g.events.length, 3, 'an audit event per request')
  t.match(g.events, [
    { tool: 'get_issue', key: 'alpha', target: 'octo-org/widgets', outcome: 'ok', shared: false },
    { tool: 'get_issue', key: 'alpha', target: 'octo-org/widgets', outcome: 'ok', shared: true },
    { tool: 'get_issue', key: 'alpha', target: 'octo-org/widgets', outcome: 'ok', shared: true },
  ])

  // Control: the same request now, with nothing in flight, is served by the SDK and gives the same result.
  const later = await g.send(issue1(4))
  t.same(resultOf(later), first)
  t.equal(g.servers.built, 2)
})

t.test('what is never shared goes through the SDK on its own, which checks it', async (t) => {
  const g = await gateway(t)
  const leader = g.send(issue1(1))
  await until(() => g.gate.held.count === 1, 'g.gate.held.count === 1')
  const cases: Array<[string, Promise<Reply>]> = [
    ['another caller', g.send(issue1(2), { 'x-caller': 'bravo' })],
    ['an Mcp-Name that disagrees with the body', g.send(issue1(3), { 'mcp-name': 'list_issues' })],
    ['an id the SDK refuses', g.send({ ...issue1(4), id: null as unknown as number })],
    ['a fractional id', g.send({ ...issue1(5), id: 5.5 })],
    ['a request asking for progress', g.send(issue1(6, { progressToken: 'p6' }))],
    ['a request asking for log notifications', g.send(issue1(7, { [LOG_LEVEL]: 'debug' }))],
    ['another issue', g.send(toolCall(8, 'get_issue', { ...widgets, issue_number: 2 }))],
  ]
  // Each is served on its own: a server for the leader and for each of the four the SDK serves
  // (it refuses the other three before building one). One that waited would never build it.
  await until(() => g.servers.built === 5, 'g.servers.built === 5')
  t.equal(g.modern.sharedCalls.waiting, 0, 'none of them waits for the call in flight')
  g.gate.open()
  const leaderReply = await leader
  t.equal(leaderReply.status, 200)
  const replies = new Map<string, Reply>()
  for (const [what, pending] of cases) replies.set(what, await pending)

  t.match(replies.get('another caller'), { status: 200, answer: { id: 2, result: { structuredContent: { number: 1 } } } })
  t.match(replies.get('an Mcp-Name that disagrees with the body'), { status: 400, answer: { id: 3, error: { code: -32020 } } }, 'the SDK refused it')
  t.notOk(replies.get('an id the SDK refuses')?.messages.some((m) => m.result !== undefined), 'no result for an id the SDK refuses')
  t.notOk(replies.get('a fractional id')?.messages.some((m) => m.result !== undefined), 'no result for a fractional id')
  t.match(replies.get('a request asking for progress'), { status: 200, answer: { id: 6, result: { structuredContent: { number: 1 } } } })
  t.match(replies.get('a request asking for log notifications'), { status: 200, answer: { id: 7, result: { structuredContent: { number: 1 } } } })
  t.match(replies.get('another issue'), { status: 200, answer: { id: 8, result: { structuredContent: { number: 2 } } } })
  t.notOk(g.events.some((e) => e.shared && e.key === 'bravo'), 'another caller never joins alpha\'s call')
})

t.test('a write tool is never shared', async (t) => {
  const g = await gateway(t, (_method, url) => ISSUE_1.test(url))
  const update = (id: number) => toolCall(id, 'update_issue', { ...widgets, issue_number: 1, title: 'Same title' })
  const pending = [g.send(update(1)), g.send(update(2))]
  // Both are in flight at once, each in an exchange of its own.
  await until(() => g.servers.built === 2, 'g.servers.built === 2')
  t.equal(g.modern.sharedCalls.waiting, 0)
  g.gate.open()
  const replies = await Promise.all(pending)
  t.same(replies.map((r) => [r.status, r.answer?.id, (resultOf(r)?.isError ?? false)]), [[200, 1, false], [200, 2, false]])
  t.notOk(g.events.some((e) => e.shared))
})

t.test('a call that begins after a write has ended does not wait for one that began before it', async (t) => {
  const g = await gateway(t)
  const before = g.send(issue1(1))
  await until(() => g.gate.held.count === 1, 'g.gate.held.count === 1')
  // Any write ends the sharing of what is in flight (shared-calls.ts): what it changed is not known here.
  const write = await g.send(toolCall(2, 'update_issue', { ...widgets, issue_number: 2, title: 'Retitled while a read was in flight' }))
  t.equal(write.status, 200, write.text.slice(0, 200))
  t.notOk(resultOf(write)?.isError, write.text.slice(0, 300))
  const after = g.send(issue1(3))
  // One that waited would never build a server of its own.
  await until(() => g.servers.built === 3, 'g.servers.built === 3')
  t.same(g.modern.sharedCalls, { inFlight: 1, waiting: 0 }, 'the later read started an exchange of its own, which is now the one found')
  const again = g.send(issue1(4))
  await until(() => g.modern.sharedCalls.waiting === 1, 'g.modern.sharedCalls.waiting === 1')
  g.gate.open()
  const replies = [await before, await after, await again]
  t.same(replies.map((r) => [r.status, r.answer?.id]), [[200, 1], [200, 3], [200, 4]])
  t.equal(g.servers.built, 3, 'a read made after that joins the later exchange')
})

t.test('when the call in flight has nothing to share, each waiting request is served on its own', async (t) => {
  await t.test('an error result', async (t) => {
    // The stand-in answers 404 for a repository that does not exist; the gate holds that request.
    const g = await gateway(t, (method, url) => method === 'GET' && url.startsWith('/repos/octo-org/no-such-repo/'))
    const missing = (id: number) => toolCall(id, 'get_issue', { owner: 'octo-org', repo: 'no-such-repo', issue_number: 1 })
    const leader = g.send(missing(1))
    await until(() => g.gate.held.count === 1, 'g.gate.held.count === 1')
    const waiting = g.send(missing(2))
    await until(() => g.modern.sharedCalls.waiting === 1, 'g.modern.sharedCalls.waiting === 1')
    g.gate.open()
    const replies = [await leader, await waiting]
    t.same(replies.map((r) => r.answer?.id), [1, 2])
    for (const r of replies) t.match(resultOf(r), { isError: true, content: [{ text: /not found/i }] })
    t.equal(g.servers.built, 2, 'the waiting request was served by an exchange of its own')
    t.match(g.events, [{ outcome: 'error', shared: false }, { outcome: 'error', shared: false }])
  })

  await t.test('a leader whose client left', async (t) => {
    const g = await gateway(t)
    const leaving = new AbortController()
    const leader = g.send(issue1(1), {}, leaving.signal).catch((error: unknown) => error)
    await until(() => g.gate.held.count === 1, 'g.gate.held.count === 1')
    const waiting = g.send(issue1(2))
    await until(() => g.modern.sharedCalls.waiting === 1, 'g.modern.sharedCalls.waiting === 1')
    leaving.abort()
    t.ok(await leader instanceof Error, 'the first client gave up')
    // The waiting request now runs its own exchange, which the gate holds too, until it opens.
    await until(() => g.servers.built === 2, 'g.servers.built === 2')
    g.gate.open()
    const reply = await waiting
    t.match(reply, { status: 200, answer: { id: 2, result: { structuredContent: { number: 1 } } } })
    t.match(g.events.at(-1), { outcome: 'ok', shared: false }, 'audited as a call of its own')
  })
})

t.test('a request waiting when shutdown begins gets the shutdown answer, not a call of its own', async (t) => {
  const g = await gateway(t)
  const leader = g.send(issue1(1))
  await until(() => g.gate.held.count === 1, 'g.gate.held.count === 1')
  const waiting = g.send(issue1(2))
  await until(() => g.modern.sharedCalls.waiting === 1, 'g.modern.sharedCalls.waiting === 1')
  await g.modern.close() // ends the exchange in flight
  const reply = await waiting
  t.match(reply, { status: 503, headers: { 'retry-after': '5' }, messages: [{ error: { code: -32000, message: 'Server is shutting down' } }] })
  t.equal(g.servers.built, 1, 'no exchange was started for it')
  t.not((await leader).status, 200, 'the call in flight was ended')
})
