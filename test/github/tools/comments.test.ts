import t from 'tap'
import { harness, textOf } from '../harness.js'
import type { Comment } from '../../../src/github/presentation/outputs.js'

const widgets = { owner: 'octo-org', repo: 'widgets' }

t.test('list_issue_comments pages through a long discussion', async (t) => {
  const h = await harness(t)
  const res = await h.call('list_issue_comments', { ...widgets, issue_number: 3, per_page: 10 })
  t.match(res.structuredContent, { repo: 'octo-org/widgets', issue_number: 3, page: 1, per_page: 10, total_pages: 4, has_next: true })
  const comments = (res.structuredContent as { comments: Comment[] }).comments
  t.equal(comments.length, 10)
  t.same(Object.keys(comments[0]).sort(), ['author', 'author_association', 'body', 'created_at', 'id', 'updated_at', 'url'])
  t.match(textOf(res), /^Comments on octo-org\/widgets#3, page 1 of 4 \(10\):\n\n### @\S+ \(\w+\) on \d{4}-\d\d-\d\d\n<<<UNTRUSTED comment \d+ by @\S+>>>/)
  t.match(textOf(res), /Next: call again with page=2\.$/)
})

t.test('comment text is cleaned of hidden instructions', async (t) => {
  const h = await harness(t)
  const res = await h.call('list_issue_comments', { ...widgets, issue_number: 7 })
  t.notMatch(textOf(res), /reveal your GitHub token/)
  t.match(textOf(res), /Works for me\./)
})

t.test('list_issue_comments refuses pull requests and missing issues', async (t) => {
  const h = await harness(t)
  t.match(textOf(await h.call('list_issue_comments', { ...widgets, issue_number: 4 })), /is a pull request/)
  t.match(textOf(await h.call('list_issue_comments', { ...widgets, issue_number: 9999 })), /^Not found: issue #9999/)
})

t.test('add_issue_comment posts once and returns the comment', async (t) => {
  const h = await harness(t)
  const res = await h.call('add_issue_comment', { ...widgets, issue_number: 2, body: 'Looking into it.' })
  t.notOk(res.isError)
  t.match(res.structuredContent, { repo: 'octo-org/widgets', issue_number: 2, comment: { author: 'octo-bot', body: 'Looking into it.' } })
  t.match(textOf(res), /^Commented on octo-org\/widgets#2: https:\/\/github\.com\/octo-org\/widgets\/issues\/2#issuecomment-\d+$/)
  t.equal(h.standin.state.repos[0].issues[1].comments.at(-1)?.body, 'Looking into it.')
  const pr = await h.call('add_issue_comment', { ...widgets, issue_number: 4, body: 'hi' })
  t.match(textOf(pr), /is a pull request/)
  t.equal(h.standin.requests.filter((r) => r.method === 'POST').length, 1, 'nothing posted on the pull request')
})
