import t from 'tap'
import { changeOf, missingEvents } from '../../../src/github/webhooks/events.js'

// What each used event changes: stale cache prefixes, topics to notify, the repository proven live.
const repository = { full_name: 'Octo-Org/Widgets' }

t.test('issues: the issue area, searches, the issue and the open list (lower-cased)', async (t) => {
  t.same(changeOf('issues', { action: 'labeled', issue: { number: 4 }, repository }), {
    live: 'octo-org/widgets',
    stale: ['/repos/octo-org/widgets/issues', '/search/issues'],
    topics: ['issue://octo-org/widgets/open', 'issue://octo-org/widgets/4'],
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
