// batch_label_issues adds (never replaces), reports each outcome and sends progress on request.
import t from 'tap'
import type { Progress } from '@modelcontextprotocol/sdk/types.js'
import { harness, textOf } from '../harness.js'

const widgets = { owner: 'octo-org', repo: 'widgets' }
const labelsOf = (h: Awaited<ReturnType<typeof harness>>, n: number) =>
  h.standin.state.repos[0].issues.find((i) => i.number === n)?.labels

t.test('adds labels, keeps existing ones and reports each issue', async (t) => {
  const h = await harness(t)
  const res = await h.call('batch_label_issues', { ...widgets, issue_numbers: [3, 5, 9999], labels: ['needs triage'] })
  t.notOk(res.isError)
  t.equal(textOf(res).split('\n')[0], '2/3 labelled; #9999: not found')
  t.same(res.structuredContent, {
    repo: 'octo-org/widgets', labels: ['needs triage'], labelled: [3, 5],
    failed: [{ issue_number: 9999, reason: 'not found' }], summary: '2/3 labelled; #9999: not found',
  })
  t.same(labelsOf(h, 3), ['bug', 'priority: high', 'needs triage'], 'existing labels kept')
  t.same(labelsOf(h, 5), ['documentation', 'good first issue', 'needs triage'])
  t.notOk(h.standin.requests.some((r) => r.method === 'PUT' || r.method === 'PATCH'), 'never a replacing write')
})

t.test('pull requests and deleted issues are reported, not labelled', async (t) => {
  const h = await harness(t)
  const res = await h.call('batch_label_issues', { ...widgets, issue_numbers: [4, 13, 2], labels: ['bug'] })
  t.same((res.structuredContent as { failed: unknown[] }).failed, [
    { issue_number: 4, reason: 'is a pull request, not an issue' },
    { issue_number: 13, reason: 'deleted (410 Gone)' },
  ])
  t.same(labelsOf(h, 4), ['bug'], 'the pull request kept exactly its own labels')
  t.equal(h.standin.requests.filter((r) => r.method === 'POST').length, 1, 'only #2 was written')
})

t.test('progress notifications when the client asks for them', async (t) => {
  const h = await harness(t)
  const seen: Progress[] = []
  await h.client.callTool(
    { name: 'batch_label_issues', arguments: { ...widgets, issue_numbers: [1, 2, 3, 9999], labels: ['x-ray'] } },
    undefined, { onprogress: (p) => { seen.push(p) } })
  t.equal(seen.length, 4)
  t.same(seen.map((p) => p.total), [4, 4, 4, 4])
  t.same(seen.map((p) => p.progress).sort(), [1, 2, 3, 4])
  t.ok(seen.some((p) => p.message === '#9999 failed'))
})

t.test('no progress token, no progress notifications', async (t) => {
  const h = await harness(t)
  let notified = 0
  h.client.fallbackNotificationHandler = async () => { notified++ }
  await h.call('batch_label_issues', { ...widgets, issue_numbers: [1, 2], labels: ['bug'] })
  t.equal(notified, 0)
})

t.test('a rate limit stops the batch instead of failing every issue the same way', async (t) => {
  const h = await harness(t)
  h.standin.setRateLimit(0, Math.floor(Date.now() / 1000) + 3600)
  const res = await h.call('batch_label_issues', { ...widgets, issue_numbers: [1, 2, 3, 5, 7, 8], labels: ['bug'] })
  const out = res.structuredContent as { labelled: number[], failed: Array<{ reason: string }> }
  t.same(out.labelled, [])
  t.equal(out.failed.length, 6)
  t.match(out.failed[0].reason, /rate limit exhausted/)
  t.ok(out.failed.some((f) => /^stopped after #\d+/.test(f.reason)), 'later issues were not attempted')
  t.ok(h.standin.requests.length <= 4, 'at most one request per worker')
})
