// A webhook's change and the reads in flight: a call made after a delivery never joins a read or a
// tool run that started before it (the same rule a write keeps), so it sees the change.
import t from 'tap'
import { harness, type Harness } from '../harness.js'
import { changeOf } from '../../../src/github/webhooks/events.js'

const ISSUE = { owner: 'octo-org', repo: 'widgets', issue_number: 5 }
const PATH = '/repos/octo-org/widgets/issues/5'
const edited = changeOf('issues', { action: 'edited', issue: { number: 5 }, repository: { full_name: 'octo-org/widgets' } })!
const labelOnOther = changeOf('label', { action: 'created', label: { name: 'x' }, repository: { full_name: 'octo-org/gadgets' } })!

/** Starts `read`, waits until the stand-in has answered it (held back by its latency), then renames the issue on "GitHub". */
async function inFlightThenRenamed<T> (h: Harness, read: () => Promise<T>): Promise<{ before: Promise<T> }> {
  h.standin.setLatency(400)
  let reached!: () => void
  const dispatched = new Promise<void>((resolve) => { reached = resolve })
  const stop = h.standin.rewriteBodies({ method: 'GET', path: PATH }, (body) => { reached(); return body })
  const before = read()
  await dispatched
  stop()
  h.standin.state.repos[0].issues.find((i) => i.number === 5)!.title = 'Renamed on github.com'
  return { before } // wrapped: an async function returning a promise would wait for it
}

const gets = (h: Harness) => h.standin.requests.filter((r) => r.method === 'GET' && r.path === PATH).length

t.test('a tool call after the delivery runs on its own and shows the change; the earlier one keeps its answer', async (t) => {
  const h = await harness(t)
  const { before } = await inFlightThenRenamed(h, () => h.call('get_issue', ISSUE))
  h.domain.apply(edited)
  const after = await h.call('get_issue', ISSUE)
  t.match(after.structuredContent, { title: 'Renamed on github.com' }, 'neither the tool run nor the upstream read in flight was joined')
  t.notMatch((await before).structuredContent, { title: 'Renamed on github.com' })
  t.equal(gets(h), 2, 'two requests to GitHub')
  t.notOk(h.events.at(-1)?.shared, 'not counted as shared')
})

t.test('an upstream read after the delivery asks GitHub again (single-flight, under the tool runs)', async (t) => {
  const h = await harness(t)
  const { before } = await inFlightThenRenamed(h, () => h.api.rest.issues.get(ISSUE))
  h.domain.apply(edited)
  const after = await h.api.rest.issues.get(ISSUE)
  t.equal(after.data.title, 'Renamed on github.com')
  t.not((await before).data.title, 'Renamed on github.com')
  t.equal(gets(h), 2)
})

t.test('a change elsewhere leaves the read in flight to be joined', async (t) => {
  const h = await harness(t)
  const { before } = await inFlightThenRenamed(h, () => h.api.rest.issues.get(ISSUE))
  h.domain.apply(labelOnOther)
  const after = await h.api.rest.issues.get(ISSUE)
  t.equal(after.data.title, (await before).data.title, 'joined: one answer')
  t.equal(gets(h), 1, 'one request to GitHub')
})
