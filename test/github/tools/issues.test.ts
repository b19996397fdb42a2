// Reading and changing issues against the stand-in, including GitHub's awkward cases: pull
// requests in issue lists, deleted issues, hostile bodies, replacing versus adding labels.
import t from 'tap'
import { harness, textOf } from '../harness.js'
import {
  CONTROL_CHARS_ISSUE_NUMBER, GONE_ISSUE_NUMBER, INJECTION_ISSUE_NUMBER, LONG_BODY_ISSUE_NUMBER,
} from '../../../sandbox/seed.js'
import type { Issue } from '../../../src/github/presentation/outputs.js'

const widgets = { owner: 'octo-org', repo: 'widgets' }
const PR = 4 // a pull request in octo-org/widgets
const issuesOf = (s: unknown) => (s as { issues: Issue[] }).issues

t.test('list_issues never shows pull requests, and limit counts issues', async (t) => {
  const h = await harness(t)
  const res = await h.call('list_issues', { ...widgets, state: 'all', limit: 10 })
  const issues = issuesOf(res.structuredContent)
  t.equal(issues.length, 10)
  const pulls = new Set(h.standin.state.repos[0].issues.filter((i) => i.pull_request).map((i) => i.number))
  t.notOk(issues.some((i) => pulls.has(i.number)), 'no pull request among them')
  t.match(res.structuredContent, { repo: 'octo-org/widgets', state: 'all', has_more: true })
  t.ok((res.structuredContent as { skipped_pull_requests: number }).skipped_pull_requests > 0)
  t.match(textOf(res), /^10 issues in octo-org\/widgets; \d+ pull requests omitted:\n- #41 \(open\) /)
})

t.test('list_issues reads further pages when pull requests crowd the first ones', async (t) => {
  const h = await harness(t)
  // The 12 newest items become pull requests: page 1 (6 per page for limit 3) holds none.
  for (const i of h.standin.state.repos[0].issues.filter((x) => x.number >= 30)) i.pull_request = { merged_at: null }
  const res = await h.call('list_issues', { ...widgets, state: 'all', limit: 3 })
  t.same(issuesOf(res.structuredContent).map((i) => i.number), [29, 27, 26])
  const pages = h.standin.requests.filter((r) => r.path.startsWith('/repos/octo-org/widgets/issues?')).map((r) => r.path)
  t.same(pages.map((p) => new URLSearchParams(p.split('?')[1]).get('page')), ['1', '2', '3'])
})

t.test('list_issues: default state is open and the last page says so', async (t) => {
  const h = await harness(t)
  const res = await h.call('list_issues', { owner: 'octo-org', repo: 'gadgets' })
  t.same(issuesOf(res.structuredContent).map((i) => i.number), [6, 4, 2, 1], 'open issues only, PR #5 left out')
  t.match(res.structuredContent, { has_more: false, skipped_pull_requests: 1 })
  t.notMatch(textOf(res), /More exist/)
})

t.test('list_issues_paginated reports page X of Y from the Link header', async (t) => {
  const h = await harness(t)
  const p2 = await h.call('list_issues_paginated', { ...widgets, state: 'all', page: 2, per_page: 10 })
  t.match(p2.structuredContent, { page: 2, per_page: 10, total_pages: 4, has_next: true })
  t.match(textOf(p2), /page 2 of 4 \(\d+ issues; \d+ pull requests? omitted\)/)
  t.match(textOf(p2), /Next: call again with page=3/)
  const p4 = await h.call('list_issues_paginated', { ...widgets, state: 'all', page: 4, per_page: 10 })
  t.match(p4.structuredContent, { page: 4, total_pages: 4, has_next: false })
  t.match(textOf(p4), /This is the last page/)
  const asc = await h.call('list_issues_paginated', { ...widgets, state: 'all', page: 1, per_page: 5, sort: 'created', direction: 'asc' })
  t.same(issuesOf(asc.structuredContent).map((i) => i.number), [1, 2, 3, 5], 'sort and direction reach GitHub; PR #4 dropped')
  const only = await h.call('list_issues_paginated', { owner: 'octo-user', repo: 'dotfiles', state: 'all' })
  t.match(only.structuredContent, { page: 1, per_page: 30, total_pages: 1, has_next: false })
})

t.test('get_issue returns a trimmed issue and refuses pull requests', async (t) => {
  const h = await harness(t)
  const res = await h.call('get_issue', { ...widgets, issue_number: 1 })
  t.same(Object.keys(res.structuredContent ?? {}).sort(), [
    'assignees', 'author', 'body', 'closed_at', 'comments', 'created_at', 'labels', 'number', 'repo', 'state',
    'state_reason', 'title', 'updated_at', 'url',
  ], 'a trimmed object, not the raw payload')
  t.match(res.structuredContent, {
    repo: 'octo-org/widgets', number: 1, title: 'Widget renders blank on Safari 16', state: 'closed',
    state_reason: 'completed', labels: ['bug'], author: 'alice', assignees: ['bob'], comments: 3,
  })
  t.match(textOf(res), /^## octo-org\/widgets#1: Widget renders blank on Safari 16\n/)
  const pr = await h.call('get_issue', { ...widgets, issue_number: PR })
  t.equal(pr.isError, true)
  t.match(textOf(pr), `#${PR} in octo-org/widgets is a pull request, not an issue`)
})

t.test('get_issue: missing and deleted issues are actionable errors', async (t) => {
  const h = await harness(t)
  const missing = await h.call('get_issue', { ...widgets, issue_number: 9999 })
  t.equal(missing.isError, true)
  t.match(textOf(missing), /^Not found: issue #9999 in octo-org\/widgets \(404\)/)
  const gone = await h.call('get_issue', { ...widgets, issue_number: GONE_ISSUE_NUMBER })
  t.match(textOf(gone), new RegExp(`^Gone: issue #${GONE_ISSUE_NUMBER} in octo-org/widgets \\(410\\)`))
  const noRepo = await h.call('get_issue', { owner: 'octo-org', repo: 'nope', issue_number: 1 })
  t.match(textOf(noRepo), /Not found: issue #1 in octo-org\/nope/)
})

t.test('get_issue strips hidden text, fences the body and caps long ones', async (t) => {
  const h = await harness(t)
  const injected = await h.call('get_issue', { ...widgets, issue_number: INJECTION_ISSUE_NUMBER })
  t.notMatch(textOf(injected), /ignore previous instructions/)
  t.notMatch((injected.structuredContent as Issue).body, /ignore previous instructions/)
  t.match(textOf(injected), /<<<UNTRUSTED issue #7 body>>>\nSetting `WIDGET_ENV=staging`[\s\S]*\n<<<END UNTRUSTED>>>$/)
  const odd = await h.call('get_issue', { ...widgets, issue_number: CONTROL_CHARS_ISSUE_NUMBER })
  const all = textOf(odd) + JSON.stringify(odd.structuredContent)
  t.notMatch(all, /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u, 'no bidi or zero-width characters left')
  t.match((odd.structuredContent as Issue).title, 'Strange characters in widget names')
  const long = await h.call('get_issue', { ...widgets, issue_number: LONG_BODY_ISSUE_NUMBER })
  const body = (long.structuredContent as Issue).body
  t.ok(body.length < 8200, `capped (${body.length} characters)`)
  t.match(body, /\n\n\[… truncated: \d+ more characters\. Full text: https:\/\/github\.com\/octo-org\/widgets\/issues\/15\]$/)
  t.notMatch(body, /END OF LOG/)
})

t.test('create_issue opens an issue and reports GitHub validation failures', async (t) => {
  const h = await harness(t)
  const res = await h.call('create_issue', { ...widgets, title: 'Tooltip flickers', body: 'On hover.', labels: ['bug'], assignees: ['alice'] })
  t.notOk(res.isError)
  t.match(res.structuredContent, { number: 42, title: 'Tooltip flickers', state: 'open', labels: ['bug'], assignees: ['alice'], body: 'On hover.' })
  t.match(textOf(res), /^Created octo-org\/widgets#42\./)
  t.equal(h.standin.state.repos[0].issues.at(-1)?.title, 'Tooltip flickers')
  const bad = await h.call('create_issue', { ...widgets, title: 'x', assignees: ['no-such-user'] })
  t.equal(bad.isError, true)
  t.match(textOf(bad), /^GitHub rejected the input for repository octo-org\/widgets \(422\)\. GitHub says: "Validation Failed; assignees invalid"/)
})

t.test('update_issue replaces the given fields and leaves the rest', async (t) => {
  const h = await harness(t)
  const res = await h.call('update_issue', { ...widgets, issue_number: 3, labels: ['enhancement'], state: 'closed' })
  t.match(res.structuredContent, { number: 3, state: 'closed', labels: ['enhancement'], title: 'Crash when resizing a widget below 10px' })
  t.match(textOf(res), /^Updated octo-org\/widgets#3: state: open → closed; labels: bug, priority: high → enhancement\./)
  const none = await h.call('update_issue', { ...widgets, issue_number: 3 })
  t.match(textOf(none), /^Nothing to update/)
  const before = h.standin.requests.length
  const pr = await h.call('update_issue', { ...widgets, issue_number: PR, title: 'hijack' })
  t.match(textOf(pr), /is a pull request, not an issue/)
  t.notOk(h.standin.requests.slice(before).some((r) => r.method === 'PATCH'), 'the pull request was not edited')
})
