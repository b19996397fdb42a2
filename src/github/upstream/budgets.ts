// GitHub's secondary limits as budgets for @octokit/plugin-throttling's Bottleneck groups: a
// burst within a budget goes at once, and only what is past it waits. Windows slide: a slot comes
// back one window (plus a margin) after the request that spent it went out, so no span of that
// length ever holds more than the limit, as GitHub counts. (A window refilled whole at fixed
// boundaries lets a burst at the end of one window and another at the start of the next through,
// which GitHub refuses.) Each queue is bounded; a request that finds it full is refused at once
// with the wait it would have faced, rather than holding a tool call for minutes.
import Bottleneck from 'bottleneck/light.js'
import { throttling } from '@octokit/plugin-throttling'
import { BudgetExhaustedError, ClientClosedError, type BudgetGroup } from './budget-errors.js'
import { QuotaHeldError } from './quota-hold.js'

/** At most `limit` requests sent in any span of `ms`. */
export interface Window { limit: number, ms: number }

/** The timers the windows use to give slots back; tests pass their own. */
export interface BudgetClock {
  now (): number
  setTimeout (fn: () => void, ms: number): unknown
  clearTimeout (handle: unknown): void
}

const REAL_CLOCK: BudgetClock = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => { clearTimeout(handle as NodeJS.Timeout) },
}

export interface BudgetLimits {
  /** Searches (GitHub: 30 a minute). */
  search: Window[]
  /** Writes that notify people: new issues and comments (GitHub: 80 a minute and 500 an hour). */
  notifications: Window[]
  /** Every write (GitHub: 900 points a minute, a write costs 5). */
  write: Window[]
  /** Requests in flight at once (GitHub: at most 100 per token). */
  concurrent: number
  /** Requests waiting for one of those slots before new ones are refused. */
  queued: number
  /**
   * Added to every window: GitHub counts a request when it arrives, which may be a little later
   * for the earlier of two requests than for the later one (a queue, a slow connection).
   */
  marginMs: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE

export const GITHUB_BUDGETS: BudgetLimits = {
  search: [{ limit: 30, ms: MINUTE }],
  notifications: [{ limit: 80, ms: MINUTE }, { limit: 500, ms: HOUR }],
  write: [{ limit: 180, ms: MINUTE }],
  concurrent: 50,
  queued: 1000,
  marginMs: 1000,
}

const WHAT = { search: 'search', notifications: 'issue and comment creation', write: 'write' } as const

/**
 * A write that failed this way wrote nothing: refused or cancelled before it was sent, or
 * refused by GitHub with a 4xx other than a rate limit (which GitHub does count). A timeout or
 * a lost connection may have landed, so it keeps its slot.
 */
function wroteNothing (error: unknown): boolean {
  if (!(error instanceof Error)) return false
  if (error.name === 'AbortError' || error instanceof QuotaHeldError) return true
  const status = (error as { status?: unknown }).status
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 403 && status !== 429 && 'response' in error
}

const per = (w: Window): string => w.ms === MINUTE ? `${w.limit} a minute` : w.ms === HOUR ? `${w.limit} an hour` : `${w.limit} per ${w.ms / 1000} s`

// Group limiters idle this long are dropped with their count: longer than any window.
const KEEP_IDLE_MS = 2 * HOUR

export interface Budgets {
  groups: { global: Bottleneck.Group, auth: Bottleneck.Group, search: Bottleneck.Group, write: Bottleneck.Group, notifications: Bottleneck.Group }
  /** The error to show for a request Bottleneck refused; any other error unchanged. */
  translate (error: unknown): unknown
  /** Gives back the write slots a request spent when it was never sent or wrote nothing. */
  release (request: { method: string, url: string }, error: unknown): void
  close (): Promise<void>
}

export function createBudgets (limits: BudgetLimits, clock: BudgetClock = REAL_CLOCK): Budgets {
  const refusals = new WeakMap<object, Error>()
  const limiters = new Set<Bottleneck>()
  let closing = false
  const overflow = { strategy: Bottleneck.strategy.OVERFLOW }

  /** Remembers, for the error a dropped job rejects with, what to tell the caller instead. */
  const onDrop = (limiter: Bottleneck, refusal: () => Error) => {
    limiters.add(limiter)
    limiter.on('dropped', (info) => {
      if (closing) return
      const error = refusal() // now, while the queue that refused it is as it was
      info.promise.catch((e: unknown) => { if (typeof e === 'object' && e !== null) refusals.set(e, error) })
    })
  }

  /** One window's limiter and the times its spent slots come back (ascending: every span is the same). */
  interface Slots { limiter: Bottleneck, w: Window, returns: Array<{ at: number, timer: unknown }> }
  const windows = new Map<BudgetGroup, Slots[]>()
  /** Which window of its group a refusal came from: the windows before it were already spent. */
  const refusedAt = new WeakMap<Error, number>()
  const span = (w: Window) => w.ms + limits.marginMs

  /** The wait a request joining `s`'s queue now would face: slots come back in order, each once a span. */
  const waitFor = (s: Slots): number => {
    const k = s.limiter.queued() // waiting ahead of it
    const now = clock.now()
    const n = s.returns.length
    if (n === 0) return span(s.w) * (1 + Math.floor(k / s.w.limit)) // every slot is mid-request
    return s.returns[k % n].at + Math.floor(k / n) * span(s.w) - now
  }

  /** A window's limiter; its refusal names the wait until its queue has moved far enough. */
  const windowed = (limiter: Bottleneck, group: keyof typeof WHAT, w: Window): Slots => {
    const slots: Slots = { limiter, w, returns: [] }
    const position = windows.get(group)?.length ?? 0
    windows.set(group, [...windows.get(group) ?? [], slots])
    onDrop(limiter, () => {
      const refusal = new BudgetExhaustedError(group, WHAT[group], per(w), Math.max(1, Math.ceil(waitFor(slots) / 1000)))
      refusedAt.set(refusal, position)
      return refusal
    })
    return slots
  }

  /** A request that spent a slot in every window of the group went out now: each slot comes back one span later. */
  const spend = (group: BudgetGroup) => {
    for (const s of windows.get(group) ?? []) {
      const at = clock.now() + span(s.w)
      const entry = { at, timer: undefined as unknown }
      entry.timer = clock.setTimeout(() => {
        const i = s.returns.indexOf(entry)
        if (i >= 0) s.returns.splice(i, 1)
        void s.limiter.incrementReservoir(1)
      }, span(s.w))
      s.returns.push(entry)
    }
  }

  /**
   * Gives back a slot at once. `sent`: the request went out (every window of the group holds a
   * return for it); the earliest pending return is cancelled instead of its own, which is not
   * known, so the window stays within GitHub's count. Otherwise it was refused by a later window
   * (`before`) and the windows before that hold no return for it.
   */
  const giveBack = async (group: BudgetGroup, sent: boolean, before = Infinity) => {
    for (const s of (windows.get(group) ?? []).slice(0, before)) {
      if (sent) {
        const earliest = s.returns.shift()
        if (earliest === undefined) continue
        clock.clearTimeout(earliest.timer)
      } else {
        const left = await s.limiter.currentReservoir()
        if (left === null || left + s.returns.length >= s.w.limit) continue // never past a full window
      }
      await s.limiter.incrementReservoir(1)
    }
  }
  const options = (w: Window) => ({ reservoir: w.limit, highWater: w.limit, ...overflow })

  /** A group whose limiter spends the first window and hands each job on to the later ones. */
  const budget = (name: keyof typeof WHAT, windowList: Window[]): Bottleneck.Group => {
    const [first, ...rest] = windowList
    const group = new Bottleneck.Group({ ...options(first), timeout: KEEP_IDLE_MS })
    group.on('created', (limiter: Bottleneck) => {
      windows.delete(name) // a limiter dropped after a long idle is replaced by this one
      windowed(limiter, name, first)
      let tail = limiter
      for (const w of rest) {
        const next = new Bottleneck(options(w))
        windowed(next, name, w)
        tail.chain(next)
        tail = next
      }
      // Past the last window the request goes out (retries weigh nothing and spend no slot).
      tail.on('executing', (info) => { if (!closing && info.options.weight > 0) spend(name) })
    })
    return group
  }

  const global = new Bottleneck.Group({ maxConcurrent: limits.concurrent, highWater: limits.queued, ...overflow, timeout: KEEP_IDLE_MS })
  global.on('created', (limiter: Bottleneck) => onDrop(limiter, () => new BudgetExhaustedError('global', 'request', `${limits.concurrent} at once`, 5)))
  const auth = new Bottleneck.Group({ maxConcurrent: 1, timeout: KEEP_IDLE_MS })
  auth.on('created', (limiter: Bottleneck) => { limiters.add(limiter) })

  return {
    groups: {
      global, auth,
      search: budget('search', limits.search),
      write: budget('write', limits.write),
      notifications: budget('notifications', limits.notifications),
    },
    translate (error) {
      if (typeof error === 'object' && error !== null && refusals.has(error)) return refusals.get(error)
      return closing && error instanceof Bottleneck.BottleneckError ? new ClientClosedError() : error
    },
    release (request, error) {
      const refused = typeof error === 'object' && error !== null ? refusals.get(error) : undefined
      if (closing || request.method === 'GET' || request.method === 'HEAD' || (refused === undefined && !wroteNothing(error))) return
      const notifies = throttling.triggersNotification(new URL(request.url, 'http://github.test').pathname)
      // Budgets are spent in order (write, then notifications, then a concurrency slot).
      const groups: BudgetGroup[] = refused instanceof BudgetExhaustedError
        ? (refused.group === 'write' ? [] : refused.group === 'notifications' ? ['write'] : ['write', 'notifications'])
        : ['write', 'notifications']
      for (const g of groups) if (g === 'write' || notifies) void giveBack(g, true)
      // A later window of a group refused: the earlier ones had already spent a slot.
      if (refused instanceof BudgetExhaustedError) void giveBack(refused.group, false, refusedAt.get(refused) ?? 0)
    },
    async close () {
      closing = true
      for (const list of windows.values()) for (const s of list) for (const r of s.returns.splice(0)) clock.clearTimeout(r.timer)
      const stop = { dropWaitingJobs: true, dropErrorMessage: 'closed', enqueueErrorMessage: 'closed' }
      await Promise.all([...limiters].map(async (l) => { await l.stop(stop); await l.disconnect() }))
    },
  }
}
