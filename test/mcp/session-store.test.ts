// Idle expiry, per-key accounting and ownership, on a hand-driven clock: no waiting.
import t from 'tap'
import type { Server } from '@modelcontextprotocol/server'
import { SessionStore, type Session } from '../../src/mcp/session-store.js'
import { FastifyTransport } from '../../src/mcp/transport.js'

function store (limits = { idleTtlMs: 60_000, maxSessions: 3, maxPerKey: 2 }) {
  let now = 1_000_000
  const expired: string[] = []
  const sessions = new SessionStore(limits, (s) => expired.push(s.id), () => now)
  t.teardown(() => sessions.closeAll())
  const open = (id: string, keyId = 'key-a'): Session => {
    const closed: string[] = []
    const server = { close: async () => { closed.push(id) } } as unknown as Server
    const session: Session = { id, keyId, server, transport: new FastifyTransport(id), lastSeen: 0 }
    sessions.add(session)
    return session
  }
  return { sessions, open, expired, advance: (ms: number) => { now += ms } }
}

t.test('an idle session expires after its TTL; using it restarts the clock', async (t) => {
  const { sessions, open, expired, advance } = store()
  open('a')
  open('b')
  advance(59_000)
  t.ok(sessions.get('a', 'key-a'), 'used just before its TTL')
  advance(1_000)
  sessions.sweep()
  t.same(expired, ['b'], 'only the session left idle for the whole TTL expires')
  t.equal(sessions.size, 1)
  advance(58_999) // 'a' was last seen 59 s in: its TTL ends at 119 s
  sessions.sweep()
  t.equal(sessions.size, 1, 'not a millisecond early')
  advance(1)
  sessions.sweep()
  t.equal(sessions.size, 0)
})

t.test('admission counts per key and per server; closing frees the slot', async (t) => {
  const { sessions, open } = store()
  open('a1')
  open('a2')
  t.equal(sessions.admit('key-a'), 'key_full')
  t.equal(sessions.admit('key-b'), 'ok')
  open('b1', 'key-b')
  t.equal(sessions.admit('key-c'), 'full')
  await sessions.close('a1')
  t.equal(sessions.admit('key-a'), 'ok')
})

t.test('a session belongs to the key that opened it', async (t) => {
  const { sessions, open } = store()
  open('a')
  t.equal(sessions.get('a', 'key-b'), undefined)
  t.equal(sessions.get('a', 'key-a')?.id, 'a')
})
