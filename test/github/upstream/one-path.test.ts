// One path to GitHub: every request the gateway sends passes through Octokit's request hook (so
// auth, retries, throttling and redirects are Octokit's and fetch's, written once), and what
// reaches GitHub is exactly what Octokit sent.
import t from 'tap'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { once } from 'node:events'
import { harness, memoryLogger } from '../harness.js'
import { createGitHubClient } from '../../../src/github/upstream/client.js'

const widgets = { owner: 'octo-org', repo: 'widgets' }

t.test('every tool, resource and prompt reaches GitHub only through Octokit', async (t) => {
  const h = await harness(t)
  const viaOctokit: string[] = []
  h.api.hook.wrap('request', async (request, options) => {
    const sent = h.api.request.endpoint(options) // the hook sees the URL template; this expands it
    try {
      return await request(options)
    } finally {
      viaOctokit.push(`${sent.method} ${new URL(sent.url).pathname}`)
    }
  })
  await h.call('list_issues', widgets)
  await h.call('get_issue', { ...widgets, issue_number: 1 })
  await h.call('get_issue', { ...widgets, issue_number: 1 }) // a 304, still Octokit's request
  await h.call('list_issues_paginated', { ...widgets, page: 1, per_page: 5 })
  await h.call('list_issue_comments', { ...widgets, issue_number: 3 })
  await h.call('search_issues', { query: 'crash repo:octo-org/widgets' })
  await h.call('create_issue', { ...widgets, title: 'One path' })
  await h.call('update_issue', { ...widgets, issue_number: 2, title: 'Renamed' })
  await h.call('add_issue_comment', { ...widgets, issue_number: 2, body: 'hello' })
  await h.call('batch_label_issues', { ...widgets, issue_numbers: [2, 4], labels: ['bug'] })
  await h.client.readResource({ uri: 'issue://octo-org/widgets/7' })
  await h.client.readResource({ uri: 'issue://octo-org/widgets/3/comments' })
  await h.client.getPrompt({ name: 'triage-issue', arguments: { ...widgets, issue_number: '5' } })
  const atGitHub = h.standin.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)
  t.ok(atGitHub.length >= 20, `${atGitHub.length} requests`)
  t.ok(h.standin.requests.some((r) => r.status === 304), 'revalidations included')
  t.same(atGitHub.sort(), viaOctokit.sort(), 'the same requests, none around Octokit')
})

t.test('a redirect to another origin does not carry the token; the same origin keeps it', async (t) => {
  const seen: Array<{ at: string, auth?: string }> = []
  const listen = async (name: string, handle: (url: string) => [number, Record<string, string>, string]): Promise<Server> => {
    const server = createServer((req, res) => {
      seen.push({ at: `${name} ${req.url}`, auth: (req.headers as IncomingHttpHeaders).authorization })
      const [status, headers, body] = handle(req.url ?? '')
      res.writeHead(status, headers).end(body)
    }).listen(0, '127.0.0.1')
    await once(server, 'listening')
    t.teardown(() => { server.closeAllConnections(); server.close() })
    return server
  }
  const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as { port: number }).port}`
  const json = { 'content-type': 'application/json' }
  const other = await listen('other', () => [200, json, '{"number":1,"title":"moved"}'])
  const main = await listen('main', (url) => url.endsWith('/issues/1')
    ? [301, { location: `${urlOf(other)}/repositories/9/issues/1` }, '']
    : url === '/repos/o/r/issues/2' ? [307, { location: '/repos/o/renamed/issues/2' }, ''] : [200, json, '{"number":2}'])
  const client = createGitHubClient({ token: 'ghp_secretToken', baseUrl: urlOf(main), logger: memoryLogger([]) })
  t.teardown(() => client.close())

  const { data } = await client.api.rest.issues.get({ owner: 'o', repo: 'r', issue_number: 1 })
  t.match(data, { title: 'moved' }, 'the redirect is followed')
  await client.api.rest.issues.get({ owner: 'o', repo: 'r', issue_number: 2 })
  t.same(seen, [
    { at: 'main /repos/o/r/issues/1', auth: 'token ghp_secretToken' },
    { at: 'other /repositories/9/issues/1', auth: undefined },
    { at: 'main /repos/o/r/issues/2', auth: 'token ghp_secretToken' },
    { at: 'main /repos/o/renamed/issues/2', auth: 'token ghp_secretToken' },
  ])
})
