import type { Server } from '@modelcontextprotocol/server'
import type { FastifyTransport } from './transport.js'

export interface Session {
  readonly id: string
  /** Identity of the API key that opened it: only that key may use it. */
  readonly keyId: string
  readonly server: Server
  readonly transport: FastifyTransport
  lastSeen: number
}

export interface SessionLimits {
  idleTtlMs: number
  maxSessions: number
  maxPerKey: number
}

export type Admission = 'ok' | 'full' | 'key_full'

/**
 * Owns every open MCP session of this process: lookup, per-key accounting, idle expiry and
 * closing. Bounded so that no client can grow memory without limit.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>()
  private readonly perKey = new Map<string, number>()
  private readonly sweeper: NodeJS.Timeout

  private readonly now: () => number

  constructor (private readonly limits: SessionLimits, private readonly onExpire?: (s: Session) => void, now: () => number = Date.now) {
    this.now = now
    // Sweeping at a fraction of the TTL bounds how long past its TTL an idle session can live.
    const every = Math.max(250, Math.min(limits.idleTtlMs / 4, 30_000))
    this.sweeper = setInterval(() => this.sweep(), every).unref()
  }

  get size (): number { return this.sessions.size }

  admit (keyId: string): Admission {
    if (this.sessions.size >= this.limits.maxSessions) return 'full'
    if ((this.perKey.get(keyId) ?? 0) >= this.limits.maxPerKey) return 'key_full'
    return 'ok'
  }

  /** Stores a new session, seen now. */
  add (session: Session): void {
    session.lastSeen = this.now()
    this.sessions.set(session.id, session)
    this.perKey.set(session.keyId, (this.perKey.get(session.keyId) ?? 0) + 1)
    // The server's transport may close on its own (e.g. protocol error): forget it then too.
    session.transport.onclose = chain(session.transport.onclose, () => this.forget(session))
  }

  /** The session if it exists and belongs to `keyId`; another key's session is "not found". */
  get (id: string, keyId: string): Session | undefined {
    const session = this.sessions.get(id)
    if (!session || session.keyId !== keyId) return undefined
    session.lastSeen = this.now()
    return session
  }

  async close (id: string): Promise<void> {
    const session = this.sessions.get(id)
    if (!session) return
    this.forget(session)
    await session.server.close()
  }

  /** Ends every GET stream so their connections can drain before the server stops listening. */
  endStreams (): void {
    for (const s of this.sessions.values()) s.transport.endStandalone()
  }

  async closeAll (): Promise<void> {
    clearInterval(this.sweeper)
    await Promise.allSettled([...this.sessions.keys()].map((id) => this.close(id)))
  }

  sweep (now = this.now()): void {
    for (const s of this.sessions.values()) {
      if (now - s.lastSeen >= this.limits.idleTtlMs && !s.transport.busy) {
        this.onExpire?.(s)
        void this.close(s.id)
      }
    }
  }

  private forget (session: Session): void {
    if (this.sessions.get(session.id) !== session) return
    this.sessions.delete(session.id)
    const n = (this.perKey.get(session.keyId) ?? 1) - 1
    if (n > 0) this.perKey.set(session.keyId, n)
    else this.perKey.delete(session.keyId)
  }
}

function chain (first: (() => void) | undefined, second: () => void): () => void {
  return () => { first?.(); second() }
}
