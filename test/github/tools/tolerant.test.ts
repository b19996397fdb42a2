// GitHub payloads that do not keep GitHub's schema (a GHES version, a proxy, a future API change):
// fields missing, null or of the wrong type still render, and one unreadable item in a list is
// reported and skipped. The stand-in serves the changed payloads; the tools are the real ones.
import t, { type Test } from 'tap'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { harness, textOf, type Harness } from '../harness.js'
import type { Comment, Issue } from '../../../src/github/presentation/outputs.js'

type Json = Record<string, unknown>
const widgets = { owner: 'octo-org', repo: 'widgets' }
const ISSUE_1 = '/repos/octo-org/widgets/issues/1'
const LIST = '/repos/octo-org/widgets/issues'
const promptText = (r: { messages: Array<{ content: { type: string, text?: string } }> }) => String(r.messages[0].content.text)
const issuesOf = (r: CallToolResult) => (r.structuredContent as { issues: Issue[] }).issues
const clean = (t: Test, r: CallToolResult) => {
  t.notOk(r.isError, textOf(r))
  t.notMatch(textOf(r), /Internal error/)
}

/** Every answer to `path` gets `change` applied (to each item of a list) for the rest of the test. */
function rewrite (h: Harness, path: string | RegExp, change: (item: Json, index: number) => unknown, method = 'GET') {
  h.standin.rewriteBodies({ method, path }, (body) => (Array.isArray(body) ? body.map((x, i) => change(x as Json, i)) : change(body as Json, 0)))
}
const without = (key: string) => (x: Json) => { delete x[key]; return x }
const set = (key: string, value: unknown) => (x: Json) => ({ ...x, [key]: value })

t.test('labels: null renders as no labels in get_issue, list_issues and list_issues_paginated', async (t) => {
  const h = await harness(t)
  rewrite(h, ISSUE_1, set('labels', null))
  rewrite(h, LIST, set('labels', null))
  const one = await h.call('get_issue', { ...widgets, issue_number: 1 })
  clean(t, one)
  t.match(one.structuredContent, { number: 1, labels: [], title: 'Widget renders blank on Safari 16' })
  t.match(textOf(one), '\nLabels: none\n')
  const list = await h.call('list_issues', { ...widgets, state: 'all', limit: 5 })
  clean(t, list)
  t.equal(issuesOf(list).length, 5)
  t.ok(issuesOf(list).every((i) => i.labels.length === 0))
  const page = await h.call('list_issues_paginated', { ...widgets, state: 'all', per_page: 5 })
  clean(t, page)
  t.ok(issuesOf(page).length > 0)
})

t.test('missing dates, counts, links and users are null, and the text says unknown', async (t) => {
  const h = await harness(t)
  rewrite(h, ISSUE_1, (x) => {
    for (const k of ['closed_at', 'created_at', 'comments', 'html_url', 'user', 'assignees', 'state_reason', 'body']) delete x[k]
    return { ...x, updated_at: 'yesterday', milestone: 42 }
  })
  const one = await h.call('get_issue', { ...widgets, issue_number: 1 })
  clean(t, one)
  t.match(one.structuredContent, {
    number: 1, state: 'closed', author: null, assignees: [], comments: null, created_at: null, updated_at: null,
    closed_at: null, url: null, state_reason: null, body: '',
  })
  t.match(textOf(one), 'Comments: unknown\nCreated: unknown, updated: unknown\nURL: unknown')
  rewrite(h, LIST, without('updated_at'))
  const list = await h.call('list_issues', { owner: 'octo-org', repo: 'widgets', limit: 2 })
  t.match(textOf(list), /\n- #41 \(open\) [^\n]*comments?\n/, 'no "updated" part when GitHub did not say')
})

t.test('an unreadable item in a list is reported in the text and skipped, the rest listed', async (t) => {
  const h = await harness(t)
  rewrite(h, '/repos/octo-org/gadgets/issues', (x, i) =>
    i === 0 ? null : i === 1 ? 'oops' : i === 2 ? without('number')(x) : i === 3 ? without('title')(x) : x)
  const list = await h.call('list_issues', { owner: 'octo-org', repo: 'gadgets', state: 'all', limit: 20 })
  clean(t, list)
  t.match(textOf(list), /\n4 items could not be read \(GitHub sent an unexpected shape\) and were skipped\.$/)
  t.same(issuesOf(list).map((i) => i.number), [2, 1], 'the readable issues are still listed')
  const page = await h.call('list_issues_paginated', { owner: 'octo-org', repo: 'gadgets', state: 'all' })
  t.match(textOf(page), '4 items could not be read')
  const open = await h.client.readResource({ uri: 'issue://octo-org/gadgets/open' })
  t.match(JSON.stringify(open.contents[0]), 'could not be read')
})

t.test('comments: a null comment is skipped, missing fields render', async (t) => {
  const h = await harness(t)
  rewrite(h, `${ISSUE_1}/comments`, (x, i) => (i === 0 ? null : i === 1 ? { ...x, id: 'x', author_association: null, created_at: null, html_url: 'javascript:alert(1)' } : x))
  const res = await h.call('list_issue_comments', { ...widgets, issue_number: 1 })
  clean(t, res)
  const comments = (res.structuredContent as { comments: Comment[] }).comments
  t.equal(comments.length, 2)
  t.match(comments[0], { id: null, author_association: null, created_at: null, url: null })
  t.match(textOf(res), /\n### @\w+\n<<<UNTRUSTED comment by @\w+>>>/)
  t.match(textOf(res), '1 item could not be read')
  const resource = await h.client.readResource({ uri: 'issue://octo-org/widgets/1/comments' })
  t.match(JSON.stringify(resource.contents[0]), '1 item could not be read')
  h.standin.rewriteBodies({ path: '/repos/octo-org/widgets/issues/2/comments' }, () => ({ comments: [] }))
  const notAList = await h.call('list_issue_comments', { ...widgets, issue_number: 2 })
  t.equal(notAList.isError, true)
  t.match(textOf(notAList), /^GitHub's answer could not be read: a list was expected\./)
})

t.test('search: results without a readable repository are skipped, a missing result list is a clean error', async (t) => {
  const h = await harness(t)
  const items = (f: (x: Json, i: number) => unknown) => (b: unknown) => ({ ...(b as Json), items: ((b as Json).items as Json[]).map(f) })
  const undo = h.standin.rewriteBodies({ path: '/search/issues' },
    items((x, i) => (i === 0 ? { ...x, repository_url: null, html_url: null } : x)))
  const res = await h.call('search_issues', { query: 'crash repo:octo-org/widgets' })
  clean(t, res)
  t.equal(issuesOf(res).length, 1)
  t.match(textOf(res), '1 item could not be read')
  undo()
  h.standin.rewriteBodies({ path: '/search/issues' }, (b) => ({ ...(b as Json), items: null, total_count: 'many' }))
  const broken = await h.call('search_issues', { query: 'crash' })
  t.equal(broken.isError, true)
  t.match(textOf(broken), /^GitHub's answer to the issue search could not be read/)
})

t.test('writes: an answer without the fields that identify it says what happened, never "Internal error"', async (t) => {
  const h = await harness(t)
  rewrite(h, LIST, without('number'), 'POST')
  const created = await h.call('create_issue', { ...widgets, title: 'Tooltip flickers' })
  t.equal(created.isError, true)
  t.match(textOf(created), /^GitHub created the issue in octo-org\/widgets, but its answer could not be read .*list_issues/)
  rewrite(h, `${ISSUE_1}/comments`, () => [], 'POST') // JSON, but not a comment
  const commented = await h.call('add_issue_comment', { ...widgets, issue_number: 1, body: 'Thanks' })
  t.match(textOf(commented), /^GitHub posted the comment on octo-org\/widgets#1, but .*do not post it again/)
  rewrite(h, '/repos/octo-org/widgets/issues/3', set('labels', null), 'PATCH')
  const updated = await h.call('update_issue', { ...widgets, issue_number: 3, labels: ['question'] })
  clean(t, updated)
  t.notMatch(textOf(updated), /did not apply/, 'labels GitHub did not send are not reported as dropped')
})

t.test('prompts read tolerantly: triage-issue and weekly-summary', async (t) => {
  const h = await harness(t)
  rewrite(h, '/repos/octo-org/widgets/issues/7', set('comments', 'two'))
  rewrite(h, '/repos/octo-org/widgets/labels', (x, i) => (i === 0 ? null : i === 1 ? { ...x, name: 7 } : x))
  rewrite(h, '/repos/octo-org/widgets/issues/7/comments', (x, i) => (i === 0 ? 5 : x))
  const triage = await h.client.getPrompt({ name: 'triage-issue', arguments: { ...widgets, issue_number: '7' } })
  const text = promptText(triage)
  t.match(text, 'existing labels: duplicate, enhancement')
  t.match(text, '## Most recent comments (1 of an unknown number)')
  t.match(text, '1 item could not be read')
  rewrite(h, LIST, (x, i) => (i === 0 ? [] : set('closed_at', 12)(x)))
  const weekly = await h.client.getPrompt({ name: 'weekly-summary', arguments: widgets })
  t.match(promptText(weekly), /items? could not be read/)
})

t.test('completion skips unreadable repositories and issues, keeping the rest', async (t) => {
  const h = await harness(t)
  rewrite(h, '/user/repos', (x, i) => (i === 0 ? null : i === 1 ? { ...x, full_name: 'no slash' } : x))
  rewrite(h, LIST, (x, i) => (i === 0 ? { ...x, number: -1 } : x))
  const ref = { type: 'ref/resource' as const, uri: 'issue://{owner}/{repo}/{number}' }
  const repos = await h.client.complete({ ref, argument: { name: 'repo', value: '' }, context: { arguments: { owner: 'octo-org' } } })
  t.ok(repos.completion.values.length > 0, `still completes: ${repos.completion.values.join(', ')}`)
  const numbers = await h.client.complete({ ref, argument: { name: 'number', value: '' }, context: { arguments: widgets } })
  t.ok(numbers.completion.values.length > 0)
  t.notOk(numbers.completion.values.includes('-1'))
})

t.test('a list answer that is not a list is a clean tool error for list_issues and list_issues_paginated', async (t) => {
  const h = await harness(t)
  h.standin.rewriteBodies({ method: 'GET', path: LIST }, () => ({ message: 'not a list' }))
  for (const [tool, args] of [['list_issues', { ...widgets, limit: 5 }], ['list_issues_paginated', { ...widgets, per_page: 5 }]] as const) {
    const r = await h.call(tool, args)
    t.ok(r.isError, tool)
    t.match(textOf(r), /^GitHub's answer could not be read: a list was expected/, tool)
  }
})
