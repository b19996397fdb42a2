// GitHub's secondary limits as budgets for @octokit/plugin-throttling's Bottleneck groups: a
// burst within a budget goes at once, and only what is past it waits for the next window. Each
// queue is bounded; a request that finds it full is refused at once with the wait it would have
// faced, rather than holding a tool call for minutes.
import Bottleneck from 'bottleneck/light.js'
import { throttling } from '@octokit/plugin-throttling'
import { BudgetExhaustedError, ClientClosedError, type BudgetGroup } from './budget-errors.js'
import { QuotaHeldError } from './quota-hold.js'

/** At most `limit` request starts per `ms`, all refilled when the window ends. */
export interface Window { limit: number, ms: number }

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
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE

export const GITHUB_BUDGETS: BudgetLimits = {
  search: [{ limit: 30, ms: MINUTE }],
  notifications: [{ limit: 80, ms: MINUTE }, { limit: 500, ms: HOUR }],
  write: [{ limit: 180, ms: MINUTE }],
  concurrent: 50,
  queued: 1000,
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

export function createBudgets (limits: BudgetLimits): Budgets {
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

  const spent = new Map<BudgetGroup, Array<{ limiter: Bottleneck, w: Window }>>()
  /** Which window of its group a refusal came from: the windows before it were already spent. */
  const refusedAt = new WeakMap<Error, number>()
  /** A window's limiter; its refusal names the wait until enough of the budget is back. */
  const windowed = (limiter: Bottleneck, group: keyof typeof WHAT, w: Window) => {
    const since = Date.now() // the limiter's first window starts now
    const position = spent.get(group)?.length ?? 0
    spent.set(group, [...spent.get(group) ?? [], { limiter, w }])
    onDrop(limiter, () => {
      const elapsed = Date.now() - since
      const waitMs = w.ms - (elapsed % w.ms) + Math.floor(limiter.queued() / w.limit) * w.ms
      const refusal = new BudgetExhaustedError(group, WHAT[group], per(w), Math.ceil(waitMs / 1000))
      refusedAt.set(refusal, position)
      return refusal
    })
  }
  /** Gives a slot back to the group's windows before `before` (all of them by default). */
  const giveBack = async (group: BudgetGroup, before = Infinity) => {
    for (const { limiter, w } of (spent.get(group) ?? []).slice(0, before)) {
      const left = await limiter.currentReservoir()
      if (left !== null && left < w.limit) await limiter.incrementReservoir(1) // never past a full window
    }
  }
  const options = (w: Window) => ({ reservoir: w.limit, reservoirRefreshAmount: w.limit, reservoirRefreshInterval: w.ms, highWater: w.limit, ...overflow })

  /** A group whose limiter spends the first window and hands each job on to the later ones. */
  const budget = (name: keyof typeof WHAT, windows: Window[]): Bottleneck.Group => {
    const [first, ...rest] = windows
    const group = new Bottleneck.Group({ ...options(first), timeout: KEEP_IDLE_MS })
    group.on('created', (limiter: Bottleneck) => {
      spent.delete(name) // a limiter dropped after a long idle is replaced by this one
      windowed(limiter, name, first)
      let tail = limiter
      for (const w of rest) {
        const next = new Bottleneck(options(w))
        windowed(next, name, w)
        tail.chain(next)
        tail = next
      }
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
      for (const g of groups) if (g === 'write' || notifies) void giveBack(g)
      // A later window of a group refused: the earlier ones had already spent a slot.
      if (refused instanceof BudgetExhaustedError) void giveBack(refused.group, refusedAt.get(refused) ?? 0)
    },
    async close () {
      closing = true
      const stop = { dropWaitingJobs: true, dropErrorMessage: 'closed', enqueueErrorMessage: 'closed' }
      await Promise.all([...limiters].map(async (l) => { await l.stop(stop); await l.disconnect() }))
    },
  }
}
