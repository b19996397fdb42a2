import t from 'tap'
import { Writable } from 'node:stream'
import { createHash } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { buildApp } from '../../src/app.js'
import { startGitHubStandin } from '../../sandbox/github-standin.js'

// A full session at trace level, including failures, then every log line and every response
// (headers and bodies) is searched for the GitHub token and the API keys.
const TOKEN = 'ghp_SECRETtokenDoNotLeak0123456789abcd'
const KEY = 'sk-live-SECRETkeyDoNotLeak-9876543210'
const HASHED_KEY = 'sk-live-SECRETsecondKey-13579'

t.test('no secret reaches a log line or a response', async (t) => {
  const github = await startGitHubStandin({ token: TOKEN })
  t.teardown(() => github.close())
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp({
    env: {
      NODE_ENV: 'production', LOG_LEVEL: 'trace', GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url,
      AUTH_KEYS: `${KEY},sha256:${createHash('sha256').update(HASHED_KEY).digest('hex')}`
    },
    logger: { level: 'trace', stream }
  })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = new URL(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`)

  const seen: string[] = []
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const body = await res.clone().text()
    seen.push(JSON.stringify([...res.headers.entries()]), body)
    return res
  }
  for (const key of [KEY, HASHED_KEY]) {
    const client = new Client({ name: 'secrets', version: '1.0.0' })
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${key}` } }, fetch: recordingFetch })
    await client.connect(transport)
    const calls: Array<[string, Record<string, unknown>]> = [
      ['get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 }],
      ['get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 99999 }],
      ['list_issues', { owner: 'octo-org', repo: 'widgets' }],
      ['search_issues', { query: 'widget' }],
      ['create_issue', { owner: 'octo-org', repo: 'widgets', title: 'secret test' }],
      ['add_issue_comment', { owner: 'octo-org', repo: 'widgets', issue_number: 1, body: 'hi' }],
      ['get_issue', { owner: 'nope', repo: '..', issue_number: -1 }]
    ]
    for (const [name, args] of calls) await client.callTool({ name, arguments: args })
    github.failNext({ path: /issues\/2$/ }, { status: 401, message: 'Bad credentials' })
    await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 2 } })
    // A reset a second away: the gateway waits it out (it holds calls while the quota is spent).
    github.setRateLimit(0, Math.floor(Date.now() / 1000) + 1)
    await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 3 } })
    github.setRateLimit(5000)
    await client.readResource({ uri: 'issue://octo-org/widgets/1' }).catch(() => {})
    await client.readResource({ uri: 'issue://octo-org/widgets/424242' }).catch(() => {})
    await client.getPrompt({ name: 'triage-issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: '1' } })
    await transport.terminateSession()
    await client.close()
  }
  for (const bad of [`Bearer ${KEY}x`, `Bearer ${TOKEN}`]) {
    const res = await fetch(url, { method: 'POST', headers: { authorization: bad, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' })
    seen.push(JSON.stringify([...res.headers.entries()]), await res.text())
  }

  t.ok(lines.length > 20, `captured ${lines.length} log lines`)
  t.ok(lines.some((l) => l.includes('"tool call"')), 'audit lines were logged')
  t.ok(seen.length > 20, `captured ${seen.length} response parts`)
  for (const secret of [TOKEN, KEY, HASHED_KEY]) {
    t.notOk(lines.some((l) => l.includes(secret)), `no log line holds ${secret.slice(0, 8)}…`)
    t.notOk(seen.some((s) => s.includes(secret)), `no response holds ${secret.slice(0, 8)}…`)
  }
})
