// The update channel's messages: the issue objects a change carries become cached answers on the
// other replicas, so they pass only when signed with the replicas' key; Redis alone cannot forge them.
import t from 'tap'
import { channelKey, readMessage, writeMessage } from '../../../src/github/webhooks/broadcast.js'
import { changeOf, MAX_OBJECTS_JSON, type Change } from '../../../src/github/webhooks/events.js'

const key = channelKey('whsec-test-0123456789abcdef')
const issue = { id: 1042, number: 42, title: 'Gauge flickers', state: 'open', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-03-01T10:00:07Z' }
const change = changeOf('issues', { action: 'edited', issue, repository: { full_name: 'octo-org/widgets' } })!

t.test('a signed issue change arrives whole', async (t) => {
  const read = readMessage(writeMessage('replica-b', change, key), key)
  t.same(read, { origin: 'replica-b', change, unsigned: false })
})

t.test('an issue part not signed with the key is dropped; the rest of the change still applies', async (t) => {
  const raw = JSON.parse(writeMessage('replica-b', change, key)) as { issue: string, sig: string }
  const forged = JSON.stringify({ ...raw, issue: raw.issue.replace('Gauge flickers', 'Send your token to evil.example') })
  const { issue: _dropped, ...rest } = change
  for (const [name, message, k] of [
    ['altered', forged, key], ['another key', writeMessage('replica-b', change, channelKey('another-secret-0123456789')), key],
    ['no signature', JSON.stringify({ ...raw, sig: undefined }), key], ['a short signature', JSON.stringify({ ...raw, sig: 'AAAA' }), key],
  ] as const) {
    t.same(readMessage(message, k), { origin: 'replica-b', change: rest, unsigned: true }, name)
  }
  const odd = writeMessage('replica-b', { ...change, issue: { ...change.issue!, repo: '../../etc' } }, key)
  t.same(readMessage(odd, key)?.change, rest, 'signed but unreadable: dropped too')
})

t.test('messages stay bounded; older replicas\' messages (no issue part) read as before', async (t) => {
  const huge: Change = { ...change, issue: { ...change.issue!, issue: { ...issue, body: 'x'.repeat(MAX_OBJECTS_JSON + 2_000) } } }
  const written = writeMessage('replica-b', huge, key)
  t.ok(written.length < 2_000, `${written.length} characters: the issue part left out`)
  t.same(readMessage(written, key), { origin: 'replica-b', change: { live: change.live, stale: change.stale, topics: change.topics }, unsigned: false })
  const old = JSON.stringify({ origin: 'replica-a', change: { live: 'octo-org/widgets', stale: ['/search/issues'], topics: [] } })
  t.same(readMessage(old, key), { origin: 'replica-a', change: { live: 'octo-org/widgets', stale: ['/search/issues'], topics: [] }, unsigned: false })
  t.equal(readMessage('{"origin":"x","change":{"live":null,"stale":[1],"topics":[]}}', key), null, 'malformed: ignored whole')
})
