// resources/subscribe and resources/unsubscribe for one session: each subscription listens on the
// process's update bus (resource-updates.ts) and sends notifications/resources/updated, which
// goes out on the session's GET stream. Whether the caller may read a resource is decided once, as
// resources/read decides it (a refused or unknown URI cannot be subscribed to), and asked again
// before each notification, so a subscriber never hears about what its access does not reach.
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server'
import type { CallerAccess } from './access.js'
import type { Catalog } from './catalog.js'
import { matchResource } from './prompts-resources.js'

/** Bounds one session's memory on the bus; a client watching more resources opens another session. */
export const MAX_SUBSCRIPTIONS = 1000

export class SessionSubscriptions {
  private readonly active = new Map<string, () => void>()

  constructor (
    private readonly catalog: Catalog,
    private readonly access: CallerAccess,
    private readonly notify: (uri: string) => void,
  ) {}

  get size (): number { return this.active.size }

  /** Throws the same JSON-RPC errors as resources/read for an unknown or refused URI. */
  subscribe (uri: string): void {
    const { template, params } = matchResource(this.catalog, uri, { access: this.access })
    if (this.active.has(uri)) return
    if (this.active.size >= MAX_SUBSCRIPTIONS) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Too many subscriptions on this session (at most ${MAX_SUBSCRIPTIONS}); unsubscribe from some first`)
    }
    const target = this.catalog.target.of(params)
    const topics = template.spec.topics?.(params) ?? [uri]
    this.active.set(uri, this.catalog.updates.listen(topics, () => {
      if (target === null || this.access.reaches(target)) this.notify(uri)
    }))
  }

  /** Unsubscribing from what was never subscribed to is not an error (the outcome is the same). */
  unsubscribe (uri: string): void {
    this.active.get(uri)?.()
    this.active.delete(uri)
  }

  /** The session ended: nothing it subscribed to is listened for any more. */
  clear (): void {
    for (const stop of this.active.values()) stop()
    this.active.clear()
  }
}
