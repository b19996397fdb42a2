// Real clients of both eras on the same /mcp of one app, stateful and stateless: the v2 SDK client
// pinned to 2026-07-28, in auto mode and in its default (2025) mode, and the v1 SDK client.
import t, { type Test } from 'tap'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { TestContext } from '../helper.js'
import { MODERN, hangingUpstream, listening, widgets, type Target } from './era-2026-kit.js'

type Negotiation = 'auto' | { pin: string } | undefined

/** A v2 SDK client connected to the target; `negotiation` undefined is the SDK's default (2025 initialize). */
async function v2 (t: TestContext, target: Target, negotiation: Negotiation) {
  const client = new Client({ name: 'era-2026-v2', version: '1.0.0' }, negotiation ? { versionNegotiation: { mode: negotiation } } : {})
  const transport = new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers: target.auth } })
  await client.connect(transport)
  t.teardown(() => client.close())
  return client
}

async function v1 (t: TestContext, target: Target) {
  const client = new V1Client({ name: 'era-2026-v1', version: '1.0.0' })
  const transport = new V1Transport(new URL(target.url), { requestInit: { headers: target.auth } })
  await client.connect(transport)
  t.teardown(() => client.close())
  return { client, transport }
}

/** What every client must manage, whatever its era: list the tools and read an issue. */
interface Caller {
  listTools (): Promise<{ tools: Array<{ name: string }> }>
  callTool (params: { name: string, arguments: Record<string, unknown> }): Promise<object>
}

/** Lists the tools and reads issue #1; returns the tool list as the client received it. */
async function works (t: Test, who: string, client: Caller, target: Target): Promise<Record<string, unknown>> {
  const listed = await client.listTools()
  t.same(listed.tools.map((tool) => tool.name).sort(), target.tools, `${who}: the tool list`)
  const issue = await client.callTool({ name: 'get_issue', arguments: { ...widgets, issue_number: 1 } }) as { isError?: boolean, structuredContent?: { number?: number } }
  t.notOk(issue.isError, `${who}: get_issue succeeded`)
  t.equal(issue.structuredContent?.number, 1, `${who}: issue #1`)
  return listed as unknown as Record<string, unknown>
}

for (const stateless of [false, true]) {
  t.test(`one app, both eras, ${stateless ? 'MCP_STATELESS' : 'stateful'}: v2 pinned, v2 auto, v2 default and v1 clients`, async (t) => {
    const target = await listening(t, { env: stateless ? { MCP_STATELESS: 'true' } : {} })
    const old = await v1(t, target)
    const legacy = await v2(t, target, undefined)
    t.equal(legacy.getProtocolEra(), 'legacy')
    const pinned = await v2(t, target, { pin: MODERN })
    t.equal(pinned.getProtocolEra(), 'modern', 'pinned to 2026-07-28: connected')
    const auto = await v2(t, target, 'auto')
    t.equal(auto.getProtocolEra(), 'modern', 'auto negotiation lands on 2026-07-28, not on the 2025 fallback')

    // Interleaved, so each era's requests meet the other's on the same app.
    const modernList = await works(t, 'v2 pinned', pinned, target)
    const oldList = await works(t, 'v1', old.client, target)
    await works(t, 'v2 auto', auto, target)
    const legacyList = await works(t, 'v2 default', legacy, target)
    await works(t, 'v2 pinned again', pinned, target)
    t.equal(modernList.cacheScope, 'private', 'the 2026 tool list carries its cache scope')
    for (const [who, list] of [['v1', oldList], ['v2 default', legacyList]] as const) {
      t.notOk('ttlMs' in list || 'cacheScope' in list, `${who}: a 2025 answer carries no cache fields`)
    }

    if (target.app) {
      t.equal(old.transport.sessionId === undefined, stateless, stateless ? 'stateless: no session id' : 'stateful: the v1 client holds a session')
      // The two 2025 clients may hold sessions; the two 2026 clients never open one.
      t.equal(target.app.sessions.size, stateless ? 0 : 2, 'sessions: only the 2025 clients\'')
    }
  })
}

t.test('a v2 client pinned to 2026-07-28 cancels a call by closing its stream; the upstream request is aborted', async (t) => {
  const upstream = await hangingUpstream(t)
  const target = await listening(t, { githubUrl: upstream.url })
  const client = await v2(t, target, { pin: MODERN })
  const controller = new AbortController()
  const call = client.callTool({ name: 'get_issue', arguments: { ...widgets, issue_number: 1 } }, { signal: controller.signal })
  await upstream.until('arrived', 1)
  controller.abort('the user pressed stop')
  await t.rejects(call, 'the client sees its own cancellation')
  await upstream.until('aborted', 1)
  t.pass('the upstream request was aborted')
})
