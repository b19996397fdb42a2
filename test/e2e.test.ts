import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { CompleteResultSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import { build, KEY_A, type TestContext } from './helper.js'

// End to end over a real socket with the SDK's own client transport.
async function listening (t: TestContext, env: Record<string, string> = {}) {
  const { app, github } = await build(t, env)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return { app, github, url: new URL(`http://127.0.0.1:${port}/mcp`) }
}

async function connect (t: TestContext, url: URL, key = KEY_A) {
  const client = new Client({ name: 'e2e', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'X-API-Key': key } } })
  await client.connect(transport)
  t.teardown(() => client.close())
  return { client, transport }
}

t.test('initialize → tools/list → tools/call → resources → prompts → DELETE', async (t) => {
  const { app, url } = await listening(t)
  const { client, transport } = await connect(t, url)
  t.ok(transport.sessionId, 'session id received')
  t.equal(app.sessions.size, 1)

  const { tools } = await client.listTools()
  t.same(tools.map((tool) => tool.name).sort(), [
    'add_issue_comment', 'batch_label_issues', 'create_issue', 'get_issue', 'list_issue_comments',
    'list_issues', 'list_issues_paginated', 'search_issues', 'update_issue'
  ])

  const issue = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1 } })
  t.notOk(issue.isError)
  t.equal((issue.structuredContent as { number: number }).number, 1)

  const listed = await client.callTool({ name: 'list_issues', arguments: { owner: 'octo-org', repo: 'widgets', limit: 5 } })
  t.notOk(listed.isError)

  const templates = await client.listResourceTemplates()
  t.ok(templates.resourceTemplates.some((r) => r.uriTemplate === 'issue://{owner}/{repo}/{number}'))
  const read = await client.readResource({ uri: 'issue://octo-org/widgets/1' })
  t.match(read.contents[0], { uri: 'issue://octo-org/widgets/1' })

  const prompts = await client.listPrompts()
  t.same(prompts.prompts.map((p) => p.name).sort(), ['bug-report-template', 'triage-issue', 'weekly-summary'])
  const prompt = await client.getPrompt({ name: 'triage-issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: '1' } })
  t.ok(prompt.messages.length > 0)

  let progressSeen = 0
  const batch = await client.callTool(
    { name: 'batch_label_issues', arguments: { owner: 'octo-org', repo: 'widgets', issue_numbers: [1, 3], labels: ['e2e'] } },
    undefined,
    { onprogress: () => { progressSeen++ } }
  )
  t.notOk(batch.isError)
  t.ok(progressSeen > 0, 'progress notifications arrived over SSE')

  await transport.terminateSession()
  t.equal(app.sessions.size, 0, 'DELETE ended the session')
})

/** The error a request ends with, as the SDK client hands it to its user. */
async function failure (request: () => Promise<unknown>): Promise<McpError> {
  try {
    await request()
  } catch (error) {
    if (error instanceof McpError) return error
    throw error
  }
  throw new Error('expected the request to fail')
}

t.test('error messages reach the client with exactly one "MCP error <code>:" prefix', async (t) => {
  const { url } = await listening(t)
  const { client } = await connect(t, url)
  const cases: Array<[string, () => Promise<unknown>, number, RegExp]> = [
    ['resources/read of a missing issue', () => client.readResource({ uri: 'issue://octo-org/widgets/99999' }), -32602, /^Not found/i],
    ['resources/read of an unknown URI', () => client.readResource({ uri: 'nothing://here' }), -32602, /^Resource not found: nothing:\/\/here$/],
    ['prompts/get of an unknown prompt', () => client.getPrompt({ name: 'no-such-prompt' }), ErrorCode.InvalidParams, /^Unknown prompt: no-such-prompt$/],
    ['prompts/get with bad arguments', () => client.getPrompt({ name: 'triage-issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 'x' } }),
      ErrorCode.InvalidParams, /^Invalid arguments for prompt triage-issue: /],
    ['tools/call of an unknown tool', () => client.callTool({ name: 'delete_repo', arguments: {} }), ErrorCode.InvalidParams, /^Unknown tool: delete_repo$/],
    ['a malformed completion/complete', () => client.request({ method: 'completion/complete', params: { ref: { type: 'ref/prompt', name: 'triage-issue' } } } as never, CompleteResultSchema),
      ErrorCode.InvalidParams, /^Invalid params for completion\/complete: /],
  ]
  for (const [what, request, code, plain] of cases) {
    const error = await failure(request)
    t.equal(error.code, code, `${what}: code`)
    const prefix = `MCP error ${code}: `
    t.ok(error.message.startsWith(prefix), `${what}: the client adds the prefix once (${error.message})`)
    const rest = error.message.slice(prefix.length)
    t.notMatch(rest, /MCP error/, `${what}: and the server sent none`)
    t.match(rest, plain, `${what}: the plain message`)
  }
})

t.test('wrong key cannot connect', async (t) => {
  const { url } = await listening(t)
  const client = new Client({ name: 'e2e', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'X-API-Key': 'wrong' } } })
  await t.rejects(client.connect(transport))
})

t.test('stateless mode end to end', async (t) => {
  const { app, url } = await listening(t, { MCP_STATELESS: 'true' })
  const { client } = await connect(t, url)
  const { tools } = await client.listTools()
  t.ok(tools.length >= 9)
  const res = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1 } })
  t.notOk(res.isError)
  t.equal(app.sessions.size, 0)
})

t.test('stateless mode: two replicas, any request to any replica', async (t) => {
  const { github } = await build(t) // one GitHub stand-in shared by both replicas
  const { buildApp } = await import('../src/app.js')
  const { testEnv } = await import('./helper.js')
  const replicas = await Promise.all([0, 1].map(async () => {
    const app = await buildApp({ env: testEnv(github, { MCP_STATELESS: 'true' }) })
    t.teardown(() => app.close())
    await app.listen({ port: 0, host: '127.0.0.1' })
    return `http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`
  }))
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-api-key': KEY_A }
  const post = (url: string, body: unknown, version = true) => fetch(url, {
    method: 'POST', headers: version ? { ...headers, 'mcp-protocol-version': '2025-11-25' } : headers, body: JSON.stringify(body)
  })
  const init = await post(replicas[0], { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lb', version: '1' } } }, false)
  t.equal(init.status, 200)
  t.equal(init.headers.get('mcp-session-id'), null)
  t.equal((await post(replicas[1], { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202)
  const call = await post(replicas[1], { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1 } } })
  t.equal(call.status, 200)
  const body = await call.json() as { result: { isError?: boolean } }
  t.notOk(body.result.isError, 'the other replica answers the tool call')
  const list = await post(replicas[0], { jsonrpc: '2.0', id: 3, method: 'tools/list' })
  t.equal(list.status, 200)
  t.equal((await fetch(replicas[1], { method: 'GET', headers: { ...headers, accept: 'text/event-stream' } })).status, 405)
})
