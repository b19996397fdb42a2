import { join } from 'node:path'
import t from 'tap'
import { MCP_HEADERS, initializeBody, sseMessages } from '../helper.js'
import { WRITE_TOOLS, post, rpc, toolCall, widgets, type Message } from '../mcp/era-2026-kit.js'
import { oauthGateway } from './helpers.js'
import { bearer, issuesTitled, tokensFor, writeChallenge } from './scope-kit.js'

// MCP's step-up on the wire (authorization spec, "Scope Challenge Handling"): a tool call that the
// OAuth token's scopes do not allow is answered 403 with a Bearer insufficient_scope challenge
// before any MCP dispatch, in both eras and for a whole batch; reads and wider tokens are served;
// API keys keep the tool error. The SDK clients' re-authorization: scope-challenge-clients.test.ts.

const READ_ONLY_KEY = 'scope-challenge-read-only-key-0123'
const keyFile = join(t.testdir({ 'keys.json': JSON.stringify({ keys: [{ name: 'reader', key: READ_ONLY_KEY, scopes: ['issues:read'] }] }) }), 'keys.json')

const gw = await oauthGateway(t, { AUTH_KEYS_FILE: keyFile })
const mcpUrl = `${gw.url}/mcp`
const metadataUrl = `${gw.url}/.well-known/oauth-protected-resource/mcp`

interface Answer { status: number, header: string | null, body: string, messages: Message[] }

/** A 2025 POST: JSON-RPC as is, in the session given, with the protocol version header. */
async function legacy (auth: Record<string, string>, body: unknown, session?: string, version = '2025-11-25'): Promise<Answer> {
  const res = await fetch(mcpUrl, {
    method: 'POST', body: JSON.stringify(body),
    headers: { ...MCP_HEADERS, ...auth, 'mcp-protocol-version': version, ...(session === undefined ? {} : { 'mcp-session-id': session }) },
  })
  const text = await res.text()
  const type = res.headers.get('content-type') ?? ''
  const messages = (type.startsWith('text/event-stream') ? sseMessages(text) : text === '' ? [] : [JSON.parse(text)].flat()) as Message[]
  return { status: res.status, header: res.headers.get('www-authenticate'), body: text, messages }
}

/** Opens a 2025 session (initialize, initialized) and returns its id. */
async function session (auth: Record<string, string>, version = '2025-11-25'): Promise<string> {
  const init = initializeBody()
  init.params.protocolVersion = version
  const res = await fetch(mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, ...auth }, body: JSON.stringify(init) })
  await res.text()
  const id = res.headers.get('mcp-session-id')
  if (res.status !== 200 || id === null) throw new Error(`initialize: ${res.status}`)
  await legacy(auth, { jsonrpc: '2.0', method: 'notifications/initialized' }, id, version)
  return id
}

const legacyCall = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })
const challengeFor = (tool: string) => writeChallenge(gw, tool)

t.test('a read-only token calling create_issue gets 403 with the challenge, in both eras, and GitHub sees nothing', async (t) => {
  const { tokens } = await tokensFor(gw, 'erin', 'issues:read')
  const auth = bearer(tokens.access_token)
  const sid = await session(auth)
  const args = { ...widgets, title: 'Never filed' }
  const upstream = gw.github.requests.length

  const inSession = await legacy(auth, legacyCall(2, 'create_issue', args), sid)
  t.equal(inSession.status, 403, '2025, in a session')
  t.equal(inSession.header, challengeFor('create_issue'))
  t.same(JSON.parse(inSession.body), {
    error: 'insufficient_scope', scope: 'issues:read issues:write',
    message: 'create_issue needs the issues:write scope, which this access token was not granted: authorize again with scope "issues:read issues:write"',
  })

  const modern = await post({ url: mcpUrl, auth }, toolCall(3, 'create_issue', args))
  t.equal(modern.status, 403, '2026-07-28, sessionless')
  t.equal(modern.headers['www-authenticate'], challengeFor('create_issue'))
  t.equal(modern.answer, undefined, 'no JSON-RPC answer: the MCP layer never saw the call')

  // Every write tool is known as one from the catalog, not from a list of names here.
  for (const tool of WRITE_TOOLS) {
    const res = await post({ url: mcpUrl, auth }, toolCall(4, tool, { ...widgets, issue_number: 1 }))
    t.equal(res.headers['www-authenticate'], challengeFor(tool), `${tool}: 403 challenge`)
  }

  t.equal(gw.github.requests.length, upstream, 'no request reached GitHub')
  t.same(issuesTitled(gw, 'Never filed'), [])
})

t.test('the same read-only token still reads: get_issue and tools/list in both eras', async (t) => {
  const { tokens } = await tokensFor(gw, 'erin', 'issues:read')
  const auth = bearer(tokens.access_token)
  const sid = await session(auth)
  const inSession = await legacy(auth, legacyCall(2, 'get_issue', { ...widgets, issue_number: 1 }), sid)
  t.equal(inSession.status, 200)
  t.match(inSession.messages.find((m) => m.id === 2)?.result, { isError: undefined, structuredContent: { number: 1 } })
  const modern = await post({ url: mcpUrl, auth }, toolCall(3, 'get_issue', { ...widgets, issue_number: 1 }))
  t.equal(modern.status, 200)
  t.match(modern.answer?.result, { structuredContent: { number: 1 } })
  t.notOk(modern.answer?.result?.isError)
  const listed = await post({ url: mcpUrl, auth }, rpc(4, 'tools/list'))
  const names = (listed.answer?.result?.tools as Array<{ name: string }>).map((x) => x.name)
  t.ok(names.includes('get_issue'))
  t.notOk(names.some((n) => WRITE_TOOLS.includes(n)), 'write tools are still not listed')
  const unknown = await post({ url: mcpUrl, auth }, toolCall(5, 'delete_everything', {}))
  t.equal(unknown.headers['www-authenticate'], undefined, 'a tool the catalog does not know is the MCP layer\'s to answer')
  t.ok(unknown.answer?.error ?? unknown.answer?.result?.isError, 'and it refuses it')
})

t.test('a 2025-03-26 batch holding a write call is refused whole; its read call does not run either', async (t) => {
  const { tokens } = await tokensFor(gw, 'erin', 'issues:read')
  const auth = bearer(tokens.access_token)
  const sid = await session(auth, '2025-03-26')
  const upstream = gw.github.requests.length
  const res = await legacy(auth, [
    legacyCall(2, 'get_issue', { ...widgets, issue_number: 2 }),
    legacyCall(3, 'update_issue', { ...widgets, issue_number: 1, title: 'Renamed by a batch' }),
    legacyCall(4, 'add_issue_comment', { ...widgets, issue_number: 1, body: 'never posted' }),
  ], sid, '2025-03-26')
  t.equal(res.status, 403)
  t.equal(res.header, `Bearer error="insufficient_scope", scope="issues:read issues:write", resource_metadata="${metadataUrl}", ` +
    'error_description="update_issue, add_issue_comment need the issues:write scope, which this access token was not granted"')
  t.equal(gw.github.requests.length, upstream, 'no request of the batch reached GitHub')
})

t.test('a token with both scopes is served in both eras; the issues are the user\'s', async (t) => {
  const { tokens } = await tokensFor(gw, 'carol', 'issues:read issues:write')
  const auth = bearer(tokens.access_token)
  const sid = await session(auth)
  const inSession = await legacy(auth, legacyCall(2, 'create_issue', { ...widgets, title: 'Filed in a session' }), sid)
  t.equal(inSession.status, 200)
  t.notOk(inSession.messages.find((m) => m.id === 2)?.result?.isError)
  const modern = await post({ url: mcpUrl, auth }, toolCall(3, 'create_issue', { ...widgets, title: 'Filed sessionless' }))
  t.equal(modern.status, 200)
  t.notOk(modern.answer?.result?.isError)
  for (const title of ['Filed in a session', 'Filed sessionless']) t.equal(issuesTitled(gw, title)[0]?.user, 'carol', title)
})

t.test('an API key without issues:write keeps the tool error (200): a key cannot be re-authorized', async (t) => {
  const auth = { 'x-api-key': READ_ONLY_KEY }
  const sid = await session(auth)
  const inSession = await legacy(auth, legacyCall(2, 'create_issue', { ...widgets, title: 'Not by key' }), sid)
  t.equal(inSession.status, 200)
  t.equal(inSession.header, null, 'no challenge')
  const result = inSession.messages.find((m) => m.id === 2)?.result
  t.equal(result?.isError, true)
  t.match(JSON.stringify(result?.content), 'needs the issues:write scope')
  for (const keyAuth of [auth, { authorization: `Bearer ${READ_ONLY_KEY}` }]) {
    const modern = await post({ url: mcpUrl, auth: keyAuth }, toolCall(3, 'create_issue', { ...widgets, title: 'Not by key' }))
    t.equal(modern.status, 200, 'the key as X-API-Key and as a bearer alike')
    t.equal(modern.headers['www-authenticate'], undefined)
    t.equal(modern.answer?.result?.isError, true)
  }
  t.same(issuesTitled(gw, 'Not by key'), [])
})
