// Who gets a session, and what a session is made of. The routes ask here; the numbers (limits,
// status codes, Retry-After) live in one place so that POST reads as protocol steps only.
import { randomUUID } from 'node:crypto'
import type { Server } from '@modelcontextprotocol/server'
import type { Catalog } from './catalog.js'
import type { Confirmations } from './confirmation.js'
import { routeDirectly } from './sdk-internals.js'
import type { Caller, Logger, ToolCallEvent } from './session-context.js'
import { createSessionServer, type Era } from './session-server.js'
import { audit } from './tool-call.js'
import type { Session, SessionStore } from './session-store.js'
import { FastifyTransport } from './transport.js'

/** Why a new session is refused: the HTTP answer, ready to send. */
export interface Refusal {
  status: 429 | 503
  /** Seconds, for Retry-After. */
  retryAfter: number
  message: string
}

const SHUTTING_DOWN: Refusal = { status: 503, retryAfter: 5, message: 'Server is shutting down' }
const SERVER_FULL: Refusal = { status: 503, retryAfter: 30, message: 'Too many open sessions on this server; retry later' }
const KEY_FULL: Refusal = {
  status: 429, retryAfter: 30, message: 'Too many open sessions for this API key; close some (DELETE /mcp) or retry later',
}

export interface AdmissionOptions {
  store: SessionStore
  catalog: Catalog
  logger: Logger
  shuttingDown: () => boolean
  onToolCall?: (event: ToolCallEvent) => void
  /** Called for each session refused for lack of room (not for shutdown). */
  onFull?: () => void
  /** Sessions offer resources/subscribe (see SessionContext.subscriptions). */
  subscriptions?: boolean
  /** Seals confirmations' state with the deployment's key (confirmation.ts). */
  confirmations?: Confirmations
}

export interface Connected { server: Server, transport: FastifyTransport }

export class SessionAdmission {
  constructor (private readonly opts: AdmissionOptions) {}

  /** A session server on its own transport: stored by open(), or thrown away (stateless). */
  async connect (caller: Caller, sessionId?: string): Promise<Connected> {
    const transport = new FastifyTransport(sessionId)
    // The audit line ('tool call') carries the key name itself; the child adds the session.
    const logger = sessionId ? this.opts.logger.child({ sessionId }) : this.opts.logger
    // A throwaway (stateless) server has no GET stream to send updates on.
    const server = this.server(caller, logger, sessionId !== undefined, 'legacy')
    await server.connect(transport)
    routeDirectly(server, transport)
    return { server, transport }
  }

  /**
   * A server for one 2026-07-28 request: no session and no transport of ours (the SDK's per-request
   * entry connects it, modern.ts). Resource updates reach it through subscriptions/listen.
   */
  modernServer (caller: Caller, observe?: (event: ToolCallEvent) => void): Server {
    return this.server(caller, this.opts.logger, true, 'modern', observe)
  }

  /** The audit line and metrics of a 2026 call answered from an identical one in flight (modern-calls.ts). */
  audit (event: ToolCallEvent): void {
    audit(this.opts.catalog, { logger: this.opts.logger, onToolCall: this.opts.onToolCall }, event)
  }

  private server (caller: Caller, logger: Logger, mayPublish: boolean, era: Era, observe?: (event: ToolCallEvent) => void): Server {
    const report = this.opts.onToolCall
    const onToolCall = observe === undefined ? report : (event: ToolCallEvent) => { report?.(event); observe(event) }
    return createSessionServer(this.opts.catalog, {
      keyName: caller.name, keyId: caller.id, access: caller.access, logger, onToolCall,
      subscriptions: mayPublish && this.opts.subscriptions === true,
    }, era, this.opts.confirmations)
  }

  /** Null when `caller` may open one more session now. */
  refusal (caller: Caller): Refusal | null {
    if (this.opts.shuttingDown()) return SHUTTING_DOWN
    const admission = this.opts.store.admit(caller.id)
    if (admission === 'ok') return null
    this.opts.onFull?.()
    return admission === 'full' ? SERVER_FULL : KEY_FULL
  }

  /** Creates and stores a session for `caller` (after refusal() said null). */
  async open (caller: Caller): Promise<Session> {
    const id = randomUUID()
    const { server, transport } = await this.connect(caller, id)
    const session: Session = { id, keyId: caller.id, server, transport, lastSeen: 0 }
    this.opts.store.add(session)
    return session
  }

  /**
   * After the initialize exchange: a refused initialize (bad params) must not leave a session
   * behind. Returns whether the session stands.
   */
  settle (session: Session): boolean {
    if (session.server.getClientVersion() !== undefined) return true
    void this.opts.store.close(session.id)
    return false
  }
}
