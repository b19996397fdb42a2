// End to end through the sandbox's signed webhooks: a change on GitHub reaches the gateway as a
// delivery whose issue and comment objects update the cached answers, so the next reads show it
// without asking GitHub (no quota, no request at all); late and same-second deliveries fall back to
// revalidation; a delivery to one replica updates the other's cache through Redis.
import t, { type Test } from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { buildApp } from '../../../src/app.js'
import { SANDBOX_TOKEN, type GitHubStandin } from '../../../sandbox/github-standin.js'
import { KEY_A, standin, testEnv } from '../../helper.js'
import { deliver, freshPrefix, repository, WEBHOOK_SECRET } from '../../webhook-kit.js'

const N = 8 // octo-org/widgets#8: open, four comments
const ISSUE = { owner: 'octo-org', repo: 'widgets', issue_number: N }

async function replica (t: Test, github: GitHubStandin, env: Record<string, string> = {}) {
  const app = await buildApp({ env: testEnv(github, { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env }) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  await app.webhooks.listening
  const { port } = app.server.address() as { port: number }
  const client = new Client({ name: 'reader', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY_A } } }))
  t.teardown(() => client.close())
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args }) as CallToolResult
    t.notOk(result.isError, `${name} answered`)
    return { text: result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n'), data: result.structuredContent as Record<string, unknown> }
  }
  return { app, url: `http://127.0.0.1:${port}/webhooks/github`, call }
}

type Reader = Awaited<ReturnType<typeof replica>>

/** The three reads of the agents' loop, for issue N. */
const readAll = async (r: Reader) => ({
  issue: await r.call('get_issue', ISSUE),
  list: await r.call('list_issues', { owner: 'octo-org', repo: 'widgets', state: 'open', limit: 20 }),
  comments: await r.call('list_issue_comments', ISSUE),
})

/** GitHub's time `s` seconds from now, to the second. */
const at = (s: number) => new Date((Math.floor(Date.now() / 1000) + s) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Someone edits issue N on github.com (the title), then comments on it a second later; GitHub sends the deliveries. */
async function peopleEdit (github: GitHubStandin) {
  const issue = github.state.repos[0].issues.find((i) => i.number === N)!
  const before = structuredClone(issue)
  issue.title = 'Support custom themes via CSS variables (and tokens)'
  issue.updated_at = at(1)
  github.announceIssueChange('octo-org', 'widgets', before)
  const edited = structuredClone(issue)
  issue.comments.push({ id: 99_000_001, user: 'carol', body: 'Tokens would cover the dark mode too.', created_at: at(2), updated_at: at(2), author_association: 'CONTRIBUTOR' })
  issue.updated_at = at(2)
  github.announceIssueChange('octo-org', 'widgets', edited)
  await github.webhooksIdle()
}

/** Issue N as GitHub's REST API has it now (read outside any measurement). */
async function restIssue (github: GitHubStandin): Promise<Record<string, unknown>> {
  const res = await fetch(`${github.url}/repos/octo-org/widgets/issues/${N}`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  return await res.json() as Record<string, unknown>
}

t.test('with a live hook, a change on GitHub is served from its delivery: the next reads show it and cost no request', async (t) => {
  const github = await standin(t)
  const gw = await replica(t, github)
  github.setWebhook({ url: gw.url, secret: WEBHOOK_SECRET })
  github.pingWebhook('octo-org', 'widgets')
  await github.webhooksIdle()
  await readAll(gw)

  await peopleEdit(github)
  t.match(github.deliveries, [{ event: 'ping' }, { event: 'issues', action: 'edited', status: 200 }, { event: 'issue_comment', action: 'created', status: 200 }])
  const usage = github.usage()
  const after = await readAll(gw)
  t.match(after.issue.data, { title: 'Support custom themes via CSS variables (and tokens)', comments: 5 })
  t.match(after.list.text, /Support custom themes via CSS variables \(and tokens\)/)
  t.match(after.comments.text, /Tokens would cover the dark mode too\./)
  t.same(github.usage(), usage, 'no request to GitHub: no quota spent, not even a 304')

  // A late delivery of an older state changes nothing; one of the same second saying something
  // else sends the next read back to GitHub, which has the truth.
  const now = await restIssue(github)
  const reads = github.usage().requests
  await deliver(gw.app, { event: 'issues', payload: { action: 'edited', issue: { ...now, title: 'An older title', updated_at: at(-60) }, repository: repository() } })
  t.match((await gw.call('get_issue', ISSUE)).data, { title: 'Support custom themes via CSS variables (and tokens)' })
  t.equal(github.usage().requests, reads, 'older news: still served from the cache')
  await deliver(gw.app, { event: 'issues', payload: { action: 'edited', issue: { ...now, title: 'Edited in the same second' }, repository: repository() } })
  t.match((await gw.call('get_issue', ISSUE)).data, { title: 'Support custom themes via CSS variables (and tokens)' })
  t.equal(github.usage().requests, reads + 1, 'the same second: revalidated with GitHub')

  // An issue nobody read: its delivery creates no cached answer; the first read asks GitHub.
  const entries = gw.app.github.stats().etagEntries
  const unread = github.state.repos[0].issues.find((i) => i.number === 2)!
  const before = structuredClone(unread)
  unread.title = 'Add dark mode to the widget gallery (and the editor)'
  unread.updated_at = at(1)
  github.announceIssueChange('octo-org', 'widgets', before)
  await github.webhooksIdle()
  t.equal(gw.app.github.stats().etagEntries, entries, 'no entry made from the delivery')
  const asked = github.usage().requests
  t.match((await gw.call('get_issue', { ...ISSUE, issue_number: 2 })).data, { title: 'Add dark mode to the widget gallery (and the editor)' })
  t.equal(github.usage().requests, asked + 1)
})

t.test('a delivery to one replica updates the other replica\'s cached answers through Redis', async (t) => {
  const github = await standin(t)
  const env = { REDIS_URL: 'redis://127.0.0.1:6379', WEBHOOK_REDIS_PREFIX: freshPrefix() }
  const a = await replica(t, github, env)
  const b = await replica(t, github, env)
  // Replica A notes each change it hears from B over Redis.
  const heard: Array<() => void> = []
  let changes = 0
  const apply = a.app.github.apply.bind(a.app.github)
  a.app.github.apply = (change) => { changes++; heard.splice(0).forEach((f) => f()); return apply(change) }
  const hearing = (n: number) => new Promise<void>((resolve) => { const check = () => (changes >= n ? resolve() : heard.push(check)); check() })

  github.setWebhook({ url: b.url, secret: WEBHOOK_SECRET }) // GitHub reaches replica B only
  github.pingWebhook('octo-org', 'widgets')
  await hearing(1)
  await readAll(a)
  await peopleEdit(github)
  await hearing(3)
  const usage = github.usage()
  const after = await readAll(a)
  t.match(after.issue.data, { title: 'Support custom themes via CSS variables (and tokens)', comments: 5 })
  t.match(after.list.text, /\(and tokens\)/)
  t.match(after.comments.text, /Tokens would cover the dark mode too\./)
  t.same(github.usage(), usage, 'replica A asked GitHub nothing')
})
