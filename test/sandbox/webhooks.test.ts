import t from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verify } from '@octokit/webhooks-methods'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'
import type { TestContext } from '../helper.js'

// The sandbox as a repository hook on GitHub: signed deliveries, in order, for what changed.
const SECRET = 'sandbox-hook-secret-0123456789'

async function receiver (t: TestContext, status = 200) {
  const got: Array<{ headers: IncomingHttpHeaders, body: string }> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => { got.push({ headers: req.headers, body }); res.writeHead(status).end() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` }
}

t.test('issues, comments and labels changed through the API are delivered, signed, with GitHub\'s envelope', async (t) => {
  const hook = await receiver(t)
  const gh = await startGitHubStandin({ webhook: { url: hook.url, secret: SECRET } })
  t.teardown(() => gh.close())
  const api = (method: string, path: string, body: unknown) => fetch(`${gh.url}${path}`, {
    method, headers: { authorization: `token ${SANDBOX_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  })
  await api('PATCH', '/repos/octo-org/widgets/issues/3', { title: 'New title', state: 'closed' })
  await api('POST', '/repos/octo-org/widgets/issues/3/labels', { labels: ['brand-new-label'] })
  await api('POST', '/repos/octo-org/widgets/issues/3/comments', { body: 'A comment' })
  await api('POST', '/repos/octo-org/widgets/issues', { title: 'Fresh issue' })
  await api('PATCH', '/repos/octo-org/widgets/issues/99999', { title: 'no such issue' })
  await fetch(`${gh.url}/repos/octo-org/widgets/issues/3`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  gh.pingWebhook('octo-org', 'widgets')
  await gh.webhooksIdle()

  const seen = hook.got.map((d) => {
    const p = JSON.parse(d.body) as { action?: string }
    return `${String(d.headers['x-github-event'])}${p.action === undefined ? '' : `.${p.action}`}`
  })
  t.same(seen, ['issues.edited', 'issues.closed', 'label.created', 'issues.labeled', 'issue_comment.created', 'issues.opened', 'ping'],
    'one delivery per change, in order; failed writes and reads send none')
  for (const d of hook.got) {
    t.ok(await verify(SECRET, d.body, String(d.headers['x-hub-signature-256'])), 'signed with the hook secret')
    t.match(d.headers, { 'content-type': 'application/json', 'x-github-delivery': /^[0-9a-f-]{36}$/, 'user-agent': /^GitHub-Hookshot\// })
    t.match(JSON.parse(d.body), { repository: { full_name: 'octo-org/widgets', owner: { login: 'octo-org' } }, sender: { login: 'octo-bot' }, organization: { login: 'octo-org' } })
  }
  const edited = JSON.parse(hook.got[0].body)
  t.match(edited, { issue: { number: 3, title: 'New title' }, changes: { title: { from: /\S/ } } })
  t.notOk('body' in edited.changes, 'only what changed')
  t.match(JSON.parse(hook.got[3].body), { label: { name: 'brand-new-label' } })
  t.match(JSON.parse(hook.got[4].body), { comment: { body: 'A comment' }, issue: { number: 3, comments: /\d/ } })
  t.match(JSON.parse(hook.got[6].body), { zen: /\S/, hook: { events: ['issues', 'issue_comment', 'label'], config: { content_type: 'json' } } })
  t.match(gh.deliveries, [{ event: 'issues', action: 'edited', status: 200 }])
  t.equal(new Set(gh.deliveries.map((d) => d.id)).size, gh.deliveries.length, 'each delivery its own id')
})

t.test('without a hook nothing is sent; an unreachable receiver is recorded, not fatal', async (t) => {
  const hook = await receiver(t)
  const gh = await startGitHubStandin()
  t.teardown(() => gh.close())
  const patch = (title: string) => fetch(`${gh.url}/repos/octo-org/widgets/issues/3`, {
    method: 'PATCH', headers: { authorization: `token ${SANDBOX_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ title }),
  })
  await patch('one')
  await gh.webhooksIdle()
  t.equal(hook.got.length, 0)
  gh.setWebhook({ url: 'http://127.0.0.1:9/hook', secret: SECRET })
  t.equal((await patch('two')).status, 200, 'the API answer does not wait for or depend on the delivery')
  await gh.webhooksIdle()
  t.match(gh.deliveries, [{ event: 'issues', action: 'edited', status: 0 }])
})

t.test('an edit made to the data directly (someone else\'s, not through the API) is announced as GitHub would', async (t) => {
  const hook = await receiver(t)
  const gh = await startGitHubStandin({ webhook: { url: hook.url, secret: SECRET } })
  t.teardown(() => gh.close())
  const issue = gh.state.repos.find((r) => r.name === 'widgets')!.issues.find((i) => i.number === 3)!
  const before = structuredClone(issue)
  issue.body = 'Rewritten by someone else'
  issue.comments.push({ id: 77_000_001, user: 'carol', body: 'Me too', created_at: issue.created_at, updated_at: issue.created_at, author_association: 'CONTRIBUTOR' })
  gh.announceIssueChange('Octo-Org', 'widgets', before)
  gh.announceIssueChange('octo-org', 'no-such-repo', before)
  await gh.webhooksIdle()
  const seen = hook.got.map((d) => `${String(d.headers['x-github-event'])}.${(JSON.parse(d.body) as { action: string }).action}`)
  t.same(seen, ['issues.edited', 'issue_comment.created'], 'the body edit, then the new comment; nothing for an unknown repository')
  t.match(JSON.parse(hook.got[0].body), { issue: { number: 3, body: 'Rewritten by someone else' }, changes: { body: { from: before.body ?? '' } } })
  t.match(JSON.parse(hook.got[1].body), { comment: { id: 77_000_001, body: 'Me too' }, issue: { number: 3 } })
  for (const d of hook.got) t.ok(await verify(SECRET, d.body, String(d.headers['x-hub-signature-256'])))
})
