// Completion memos and webhooks: an issue opened on GitHub is offered as soon as its delivery
// arrives, not a minute later; a change in another repository keeps the memo.
import t from 'tap'
import { harness } from '../harness.js'
import { changeOf } from '../../../src/github/webhooks/events.js'

const ref = { type: 'ref/resource' as const, uri: 'issue://{owner}/{repo}/{number}' }
const opened = (fullName: string, number: number) => changeOf('issues', { action: 'opened', issue: { number }, repository: { full_name: fullName } })!

t.test('an issues event drops the repository\'s memoized issue numbers', async (t) => {
  const h = await harness(t)
  const numbers = async () => (await h.client.complete({ ref, argument: { name: 'number', value: '' }, context: { arguments: { owner: 'octo-org', repo: 'widgets' } } })).completion.values
  const listings = () => h.standin.requests.filter((r) => r.path.startsWith('/repos/octo-org/widgets/issues?')).length
  const first = await numbers()
  const widgets = h.standin.state.repos.find((r) => r.owner === 'octo-org' && r.name === 'widgets')!
  const copy = structuredClone(widgets.issues.find((i) => i.state === 'open' && i.pull_request === undefined)!)
  const number = Math.max(...widgets.issues.map((i) => i.number)) + 1
  widgets.issues.unshift({ ...copy, id: copy.id + 1_000_000, number, title: 'Opened on github.com', updated_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') })
  t.notOk(first.includes(String(number)))
  const asked = listings()
  t.same(await numbers(), first, 'memoized: GitHub is not asked again')
  t.equal(listings(), asked)

  h.domain.apply(opened('octo-org/gadgets', 1))
  t.same(await numbers(), first, 'a change in another repository keeps the memo')
  t.equal(listings(), asked)

  h.domain.apply(opened('octo-org/widgets', number))
  t.ok((await numbers()).includes(String(number)), 'the new issue is offered once its delivery arrived')
  t.equal(listings(), asked + 1, 'asked once more')
})
