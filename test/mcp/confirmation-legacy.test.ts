import t, { type Test } from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { KEY_A, standin } from '../helper.js'
import { ACCEPT, CLOSE, PATCHED, QUESTION, replica, text, writes, type Answer } from './confirmation-kit.js'

// Destructive writes confirmed where the client can (docs/mcp.md, Confirmations), 2025 era: closing
// an issue and large label batches ask the user first through elicitation/create on the request's
// own stream (the SDK's legacy shim); a client that cannot answer gets the call run as before.

/** A 2025-era client (v1 SDK) that declares form elicitation and answers with `answer`, or declares none. */
async function legacyClient (t: Test, url: URL, answer?: Answer) {
  const asked: string[] = []
  const client = new Client({ name: 'confirm-2025', version: '1.0.0' }, answer === undefined ? {} : { capabilities: { elicitation: { form: {} } } })
  if (answer !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message)
      return answer
    })
  }
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'X-API-Key': KEY_A } } }))
  t.teardown(() => client.close())
  return { client, asked }
}

t.test('2025 era: a client that declares elicitation is asked; accept writes, decline does not', async (t) => {
  const github = await standin(t)
  const { app, url } = await replica(t, github)

  const declining = await legacyClient(t, url, { action: 'decline' })
  const declined = await declining.client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.same(declining.asked, [QUESTION])
  t.equal(declined.isError, true)
  t.equal(text(declined), `Not done: the user declined ("${QUESTION}"). Nothing was changed. Do not call again unless the user asks for it.`)
  t.same(writes(github), [], 'no GitHub write')
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /gateway_tool_calls_total\{tool="update_issue",outcome="declined"\} 1/, 'audited as declined')

  const accepting = await legacyClient(t, url, ACCEPT)
  const closed = await accepting.client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.same(accepting.asked, [QUESTION])
  t.notOk(closed.isError)
  t.match(text(closed), /^Updated octo-org\/widgets#3: state: open → closed\./)
  t.same(writes(github), PATCHED)
})

t.test('2025 era: a client without the elicitation capability gets the call run unasked, as before', async (t) => {
  const github = await standin(t)
  const { url } = await replica(t, github)
  const { client } = await legacyClient(t, url)
  const closed = await client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.notOk(closed.isError)
  t.same(writes(github), PATCHED)
})

t.test('2025 era, MCP_STATELESS: no session to ask on, so the call runs unasked', async (t) => {
  const github = await standin(t)
  const { url } = await replica(t, github, { MCP_STATELESS: 'true' })
  const { client, asked } = await legacyClient(t, url, { action: 'decline' })
  const closed = await client.callTool({ name: 'update_issue', arguments: CLOSE })
  t.notOk(closed.isError)
  t.same(asked, [])
  t.same(writes(github), PATCHED)
})

t.test('a batch asks only above CONFIRM_BATCH_LABEL_OVER; reopening never asks', async (t) => {
  const github = await standin(t)
  const { url } = await replica(t, github, { CONFIRM_BATCH_LABEL_OVER: '2' })
  const { client, asked } = await legacyClient(t, url, { action: 'cancel' })
  const batch = (issues: number[]) => client.callTool({
    name: 'batch_label_issues', arguments: { owner: 'octo-org', repo: 'widgets', issue_numbers: issues, labels: ['triage'] },
  })

  const small = await batch([1, 2])
  t.notOk(small.isError)
  t.same(asked, [], 'two issues: not asked')
  t.same(writes(github).sort(), ['POST /repos/octo-org/widgets/issues/1/labels', 'POST /repos/octo-org/widgets/issues/2/labels'])

  const large = await batch([1, 2, 3])
  t.same(asked, ['Add "triage" to 3 issues in octo-org/widgets (#1, #2, #3)?'])
  t.equal(large.isError, true)
  t.match(text(large), /^Not done: the user dismissed the question without answering/)
  t.equal(writes(github).length, 2, 'the cancelled batch wrote nothing')

  const reopened = await client.callTool({ name: 'update_issue', arguments: { ...CLOSE, issue_number: 1, state: 'open' } })
  t.notOk(reopened.isError)
  t.equal(asked.length, 1, 'reopening is not asked about')
})

t.test('a confirmed batch runs and still streams its progress on the request stream', async (t) => {
  const github = await standin(t)
  const { url } = await replica(t, github, { CONFIRM_BATCH_LABEL_OVER: '0' })
  const { client, asked } = await legacyClient(t, url, ACCEPT)
  const progress: number[] = []
  const labelled = await client.callTool(
    { name: 'batch_label_issues', arguments: { owner: 'octo-org', repo: 'widgets', issue_numbers: [1, 2], labels: ['triage'] } },
    undefined,
    { onprogress: (p) => { progress.push(p.progress) } },
  )
  t.same(asked, ['Add "triage" to 2 issues in octo-org/widgets (#1, #2)?'], '0: even a small batch asks')
  t.notOk(labelled.isError)
  t.same(progress, [1, 2])
  t.equal(writes(github).length, 2)
})
