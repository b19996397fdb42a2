// Fresh without asking: while webhooks for a repository are live, a cached answer about its issues
// or labels may be served without revalidating, since any change to them would have arrived as a
// delivery and dropped that answer. Bounded twice by the window: the hook must have been heard from
// within it (a lost hook falls back to ETag revalidation), and the answer must have been checked
// with GitHub within it (a delivery GitHub failed to send is stale for at most that long). An
// answer checked before the hook was first heard from is never trusted: a change then may have
// come before the hook did.
import { LRUCache } from 'lru-cache'

interface Live {
  /** When this run of deliveries began (the first one after a silence longer than the window). */
  since: number
  last: number
}

/** What the conditional-request layer asks (conditional.ts). */
export interface Freshness {
  now (): number
  /** Whether the cached answer for `path` (an API path, lower-cased), checked at `checkedAt`, may be served as is. */
  fresh (path: string, checkedAt: number): boolean
}

// Only what the used events (issues, issue_comment, label) report on: issues, comments, labels.
const COVERED = /^\/repos\/([^/]+)\/([^/]+)\/(?:issues|labels)(?:\/|$)/

export class HookFreshness implements Freshness {
  /** 'owner/repo' or 'owner/*' (an organization hook), lower-cased. */
  private readonly live: LRUCache<string, Live>
  /** Hooks whose ping said they do not send every used event: never trusted. */
  private readonly partial: LRUCache<string, true>

  constructor (private readonly windowMs: number, readonly now: () => number = Date.now, maxRepos = 10_000) {
    this.live = new LRUCache({ max: maxRepos })
    this.partial = new LRUCache({ max: maxRepos })
  }

  /**
   * A verified delivery for `target` ('owner/repo' or 'owner/*') arrived now. A ping also says
   * whether its hook sends every used event (`partialHook`); other deliveries do not, so only a
   * later ping changes that verdict.
   */
  heard (target: string, ping?: { partialHook: boolean }): void {
    const key = target.toLowerCase()
    if (ping?.partialHook === true) this.partial.set(key, true)
    else if (ping !== undefined) this.partial.delete(key)
    const now = this.now()
    const was = this.live.get(key)
    this.live.set(key, was !== undefined && now - was.last <= this.windowMs ? { since: was.since, last: now } : { since: now, last: now })
  }

  fresh (path: string, checkedAt: number): boolean {
    if (this.windowMs <= 0) return false
    const m = COVERED.exec(path)
    if (m === null) return false
    const now = this.now()
    if (now - checkedAt > this.windowMs) return false
    return [`${m[1]}/${m[2]}`, `${m[1]}/*`].some((key) => {
      const hook = this.live.get(key)
      return hook !== undefined && !this.partial.has(key) && now - hook.last <= this.windowMs && checkedAt >= hook.since
    })
  }
}
