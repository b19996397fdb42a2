import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { KEY_A, KEY_B, MCP_HEADERS, standin, testEnv } from '../helper.js'
import { ACCEPT, CLOSE, KEY, OTHER_KEY, PATCHED, QUESTION, replica, text, writes, type Answer, type Replica } from './confirmation-kit.js'

// Destructive writes confirmed where the client can (docs/mcp.md, Confirmations), MCP 2026-07-28:
// the call answers input_required with a form elicitation, and the client's retry carries the
// answer and the sealed requestState, which any replica holding the same key completes. A client
// that cannot answer gets the call run as before; state that is not genuine completes nothing.

/** Where a POST went, and whether it was the retry that answers (it carries `inputResponses`). */
interface Hop { replica: number, method: string, answering: boolean }

/**
 * A 2026-07-28 client (v2 SDK, pinned) that declares form elicitation and answers with `answer`,
 * or declares none. Its POSTs go to `replicas[0]`, a retry that answers to `replicas[answerTo]`.
 */
async function modernClient (t: Test, replicas: Replica[], answer?: Answer, answerTo = 0) {
  const asked: string[] = []
  const hops: Hop[] = []
  const client = new Client({ name: 'confirm-2026', version: '1.0.0' }, {
    versionNegotiation: { mode: { pin: '2026-07-28' } },
    ...(answer !== undefined && { capabilities: { elicitation: { form: {} } } }),
  })
  if (answer !== undefined) {
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message)
      return answer
    })
  }
  const route = async (_url: string | URL, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) as { method?: string, params?: { inputResponses?: unknown } } : {}
    const answering = body.params?.inputResponses !== undefined
    const to = answering ? answerTo : 0
    hops.push({ replica: to, method: body.method ?? '', answering })
    return fetch(replicas[to].url, init)
  }
  await client.connect(new StreamableHTTPClientTransport(replicas[0].url, { fetch: route, requestInit: { headers: { 'X-API-Key': KEY_A } } }))
  t.teardown(() => client.close())
  t.equal(client.getProtocolEra(), 'modern')
  return { client, asked, calls: () => hops.filter((h) => h.method === 'tools/call') }
}

t.test('2026-07-28: input_required asks; accept writes, decline does not', async (t) => {
  const github = await standin(t)
  const one = await replica(t, github)

  const declining = await modernClient(t, [one], { action: 'decline' })
  const declined = await declining.client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.same(declining.asked, [QUESTION])
  t.equal(declined.isError, true)
  t.match(text(declined), /^Not done: the user declined/)
  t.same(writes(github), [], 'no GitHub write')
  t.same(declining.calls().map((h) => h.answering), [false, true], 'asked, then answered on a retry')

  const accepting = await modernClient(t, [one], ACCEPT)
  const closed = await accepting.client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.same(accepting.asked, [QUESTION])
  t.notOk(closed.isError)
  t.match(text(closed), /^Updated octo-org\/widgets#3: state: open → closed\./)
  t.same(writes(github), PATCHED)
})

t.test('2026-07-28: a client without the elicitation capability gets the call run unasked, as before', async (t) => {
  const github = await standin(t)
  const { client, calls } = await modernClient(t, [await replica(t, github)])
  const closed = await client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.notOk(closed.isError)
  t.equal(calls().length, 1, 'one round: nothing asked')
  t.same(writes(github), PATCHED)
})

t.test('2026-07-28: the answer completes on another replica holding the same key', async (t) => {
  const github = await standin(t)
  const replicas = [await replica(t, github), await replica(t, github)]
  const { client, asked, calls } = await modernClient(t, replicas, ACCEPT, 1)
  const closed = await client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.same(asked, [QUESTION])
  t.notOk(closed.isError)
  t.same(calls(), [
    { replica: 0, method: 'tools/call', answering: false },
    { replica: 1, method: 'tools/call', answering: true },
  ], 'asked by one replica, answered to the other')
  t.same(writes(github), PATCHED)
})

t.test('2026-07-28: a confirmed batch runs and still streams its progress', async (t) => {
  const github = await standin(t)
  const { client, asked } = await modernClient(t, [await replica(t, github, { CONFIRM_BATCH_LABEL_OVER: '1' })], ACCEPT)
  const progress: number[] = []
  const labelled = await client.callTool(
    { name: 'batch_label_issues', arguments: { owner: 'octo-org', repo: 'widgets', issue_numbers: [1, 2], labels: ['triage'] } },
    // The v2 client reports its own answering round as progress too, with no total: not the gateway's.
    { onprogress: (p) => { if (p.total !== undefined) progress.push(p.progress) } },
  )
  t.same(asked, ['Add "triage" to 2 issues in octo-org/widgets (#1, #2)?'])
  t.notOk(labelled.isError)
  t.same(progress, [1, 2])
  t.equal(writes(github).length, 2)
})

// The wire itself, for what a well-behaved client never sends.
const CAPABLE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
}

interface Rpc { result?: { resultType?: string, requestState?: string, isError?: boolean, inputRequests?: Record<string, { params: { message: string } }> }, error?: { code: number, message: string } }

async function rawCall (app: FastifyInstance, args: Record<string, unknown>, retry: Record<string, unknown> = {}, key = KEY_A): Promise<Rpc> {
  const res = await app.inject({
    method: 'POST',
    url: '/mcp',
    headers: { ...MCP_HEADERS, 'x-api-key': key, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'update_issue' },
    payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'update_issue', arguments: args, _meta: CAPABLE, ...retry } },
  })
  return res.json() as Rpc
}

/** The retry's params: the user's yes, and the state as the client echoes it. */
const yes = (requestState: string) => ({ inputResponses: { confirm: ACCEPT }, requestState })

t.test('2026-07-28: tampered, foreign or misapplied state never completes a call', async (t) => {
  const github = await standin(t)
  const [one, two, stranger] = [await replica(t, github), await replica(t, github), await replica(t, github, { REQUEST_STATE_KEY: OTHER_KEY })]
  const asked = await rawCall(one.app, CLOSE)
  t.equal(asked.result?.resultType, 'input_required')
  t.equal(asked.result?.inputRequests?.confirm.params.message, QUESTION)
  const state = asked.result?.requestState ?? ''
  t.match(state, /^v1\.[\w-]+\.[\w-]+$/, 'sealed')

  // The payload is readable, not changeable: a longer expiry, say, breaks the seal.
  const [, body, mac] = state.split('.')
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { exp: number }
  const extended = `v1.${Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 86_400 })).toString('base64url')}.${mac}`
  // The seal's first character: all six of its bits count (the last one's low bits are padding,
  // so changing it can leave the decoded seal as it was).
  const flipped = `v1.${body}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`
  for (const [what, forged, app] of [['a changed payload', extended, two.app], ['a changed seal', flipped, two.app], ['another key', state, stranger.app]] as const) {
    const refused = await rawCall(app, CLOSE, yes(forged))
    t.same(refused.error, { code: -32602, message: 'Invalid or expired requestState', data: { reason: 'invalid_request_state' } }, `${what}: refused`)
  }

  // Genuine state answers only the question it was minted for: the same caller, tool and arguments.
  const otherIssue = await rawCall(two.app, { ...CLOSE, issue_number: 2 }, yes(state))
  t.equal(otherIssue.result?.resultType, 'input_required', 'another issue: asked afresh')
  t.equal(otherIssue.result?.inputRequests?.confirm.params.message, 'Close issue octo-org/widgets#2?')
  const otherCaller = await rawCall(two.app, CLOSE, yes(state), KEY_B)
  t.equal(otherCaller.result?.resultType, 'input_required', 'another API key: asked afresh')
  const unasked = await rawCall(two.app, CLOSE, { inputResponses: { confirm: ACCEPT } })
  t.equal(unasked.result?.resultType, 'input_required', 'an answer without state: asked afresh')
  t.same(writes(github), [], 'nothing written so far')

  const unticked = await rawCall(two.app, CLOSE, { inputResponses: { confirm: { action: 'accept', content: { confirm: false } } }, requestState: state })
  t.equal(unticked.result?.isError, true, 'accepted with the box unticked: not done')
  t.same(writes(github), [])

  const done = await rawCall(two.app, CLOSE, yes(state))
  t.ok(done.result !== undefined && done.result.isError !== true, 'done')
  t.same(writes(github), PATCHED, 'the genuine answer, on another replica, completes the call')
})

t.test('production without REQUEST_STATE_KEY says what that costs; the key itself is never logged', async (t) => {
  const github = await standin(t)
  const start = async (env: Record<string, string>) => {
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
    const app = await buildApp({ env: testEnv(github, { NODE_ENV: 'production', LOG_LEVEL: 'trace', ...env }), logger: { level: 'trace', stream } })
    await app.close()
    return lines.join('')
  }
  t.match(await start({}), /REQUEST_STATE_KEY is not set: a confirmation a 2026-07-28 client answers completes only on the replica that asked it/)
  const keyed = await start({ REQUEST_STATE_KEY: KEY })
  t.notMatch(keyed, /REQUEST_STATE_KEY is not set/)
  t.notOk(keyed.includes(KEY), 'the key is not in the log')
})
