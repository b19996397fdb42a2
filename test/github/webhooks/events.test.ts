import t from 'tap'
import { changeOf, MAX_OBJECTS_JSON, missingEvents, readIssueChange } from '../../../src/github/webhooks/events.js'

// What each used event changes: stale cache prefixes, topics to notify, the repository proven live.
const repository = { full_name: 'Octo-Org/Widgets' }

t.test('issues: the issue area, searches, the issue and the open list (lower-cased)', async (t) => {
  t.same(changeOf('issues', { action: 'labeled', issue: { number: 4 }, repository }), {
    live: 'octo-org/widgets',
    stale: ['/repos/octo-org/widgets/issues', '/search/issues'],
    topics: ['issue://octo-org/widgets/open', 'issue://octo-org/widgets/4'],
    issue: { repo: 'octo-org/widgets', number: 4, action: 'labeled', issue: { number: 4 }, comment: undefined },
  })
  const moved = changeOf('issues', { action: 'transferred', issue: { number: 4 }, repository, changes: { new_repository: { full_name: 'octo-org/gadgets' } } })
  t.same(moved?.topics, ['issue://octo-org/widgets/open', 'issue://octo-org/widgets/4', 'issue://octo-org/widgets/4/comments', 'issue://octo-org/gadgets/open'])
  t.ok(moved?.stale.includes('/repos/octo-org/gadgets/issues'), 'the new repository is changed too')
})

t.test('issue_comment: comments, the issue and the open list; a pull request\'s comment notifies nothing', async (t) => {
  t.same(changeOf('issue_comment', { action: 'created', issue: { number: 4 }, comment: { id: 1 }, repository })?.topics,
    ['issue://octo-org/widgets/4/comments', 'issue://octo-org/widgets/4', 'issue://octo-org/widgets/open'])
  const pr = changeOf('issue_comment', { action: 'created', issue: { number: 5, pull_request: { url: 'x' } }, repository })
  t.same(pr?.topics, [])
  t.same(pr?.stale, ['/repos/octo-org/widgets/issues', '/search/issues'], 'its cached answers still go')
})

t.test('label: labels and issues of the repository, every subscription in it', async (t) => {
  t.same(changeOf('label', { action: 'deleted', label: { name: 'bug' }, repository }), {
    live: 'octo-org/widgets',
    stale: ['/repos/octo-org/widgets/labels', '/repos/octo-org/widgets/issues', '/search/issues'],
    topics: ['repo:octo-org/widgets'],
  })
})

t.test('odd payloads change nothing and never throw', async (t) => {
  for (const payload of [null, 'x', [], {}, { repository: { full_name: 'a/b/c' } }, { repository: { full_name: '../x' } }, { repository: 5 }]) {
    t.equal(changeOf('issues', payload), null)
  }
  t.same(changeOf('issues', { action: 'edited', issue: { number: -1 }, repository })?.topics, ['issue://octo-org/widgets/open'], 'no readable number: the list only')
  t.equal(changeOf('push', { repository }), null, 'unused events')
  t.equal(changeOf('ping', {}), null, 'a ping naming no repository or organization')
  t.same(changeOf('ping', { organization: { login: 'Octo-Org' }, hook: { events: ['*'] } }), { live: 'octo-org/*', stale: [], topics: [], partialHook: false })
  t.same(missingEvents({ hook: { events: ['issues', 'push'] } }), ['issue_comment', 'label'])
  t.same(missingEvents({ hook: {} }), [], 'a ping that does not say is not held against the hook')
})

t.test('the issue and comment objects travel with the change, within a size bound', async (t) => {
  const issue = { number: 4, title: 'Gauge flickers', updated_at: '2026-01-02T03:04:05Z' }
  const comment = { id: 9, body: 'Seen again.' }
  t.same(changeOf('issue_comment', { action: 'created', issue, comment, repository })?.issue,
    { repo: 'octo-org/widgets', number: 4, action: 'comment_created', issue, comment })
  const huge = changeOf('issues', { action: 'edited', issue: { ...issue, body: 'x'.repeat(MAX_OBJECTS_JSON) }, repository })
  t.same(huge?.issue, { repo: 'octo-org/widgets', number: 4, action: 'edited', issue: undefined, comment: undefined }, 'too large: the answers are only marked stale')
  t.equal(changeOf('issues', { action: 'Edited!', issue, repository })?.issue, undefined, 'an odd action: no issue change')
  t.equal(changeOf('issues', { action: 'edited', issue: { number: 'x' }, repository })?.issue, undefined, 'no readable number: no issue change')
})

t.test('an issue change from another replica is read without trusting it', async (t) => {
  const good = { repo: 'octo-org/widgets', number: 4, action: 'edited', issue: { number: 4 }, comment: null }
  t.same(readIssueChange(good), good)
  for (const odd of [null, [], { ...good, repo: 'Octo-Org/widgets' }, { ...good, repo: 'a/b/c' }, { ...good, repo: '../x' }, { ...good, number: 0 },
    { ...good, number: 1.5 }, { ...good, action: 'DROP TABLE' }, { ...good, action: 5 }]) {
    t.equal(readIssueChange(odd), null, JSON.stringify(odd))
  }
})
