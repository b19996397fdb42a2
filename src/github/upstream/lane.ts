// A start-spacing gate with the one method @octokit/plugin-throttling calls on its limiter
// groups: `group.key(id).schedule(jobOptions, fn, ...args)`. It replaces the plugin's default
// Bottleneck groups so spacing is configurable (GitHub asks for >= 1 s between writes and
// allows 30 searches a minute; tests and the demo sandbox need no spacing) and so the hot read
// path pays no scheduler cost: with spacing 0 a job runs at once.
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * The throttling plugin books write and search slots with `schedule(jobOptions, noop)`: no
 * request options, so no abort signal. The retry runner, which receives the request, sets
 * `starting` while it starts an attempt: the plugin books the first slot synchronously inside that
 * call, and books a write's notification slot later with the same `jobOptions` object, on which
 * the signal is remembered. (An AsyncLocalStorage did this before; on Node 20 its first `run()`
 * turns on promise hooks for the whole process, which made every later promise ~50 % dearer.)
 */
let starting: AbortSignal | undefined
const bookedFor = new WeakMap<object, AbortSignal>()

function signalOf (jobOptions: unknown): AbortSignal | undefined {
  if (jobOptions === null || typeof jobOptions !== 'object') return starting
  if (starting !== undefined) bookedFor.set(jobOptions, starting)
  return starting ?? bookedFor.get(jobOptions)
}

/** A job refused because the lane's queue is already longer than its bound. */
export class LaneFullError extends Error {
  constructor (readonly retryAfterS: number, readonly lane: string) {
    super(`too many GitHub ${lane} queued (GitHub asks for spacing between them); retry in about ${retryAfterS} s`)
    this.name = 'LaneFullError'
  }
}

export class Lane {
  private nextStart = 0
  private readonly closed = new AbortController()

  private readonly name: string
  private readonly maxWaitMs: number
  private readonly wait: (ms: number, signal: AbortSignal) => Promise<unknown>

  constructor (
    private readonly spacingMs: number,
    opts: {
      /** What the lane spaces, for messages: 'writes', 'searches'. */
      name?: string
      /** Longest a job may wait for its slot; beyond that it is refused at once (bounded queue). */
      maxWaitMs?: number
      /** The wait itself (tests replace it); its timer must never keep the process alive. */
      wait?: (ms: number, signal: AbortSignal) => Promise<unknown>
    } = {},
  ) {
    this.name = opts.name ?? 'requests'
    this.maxWaitMs = opts.maxWaitMs ?? 30_000
    this.wait = opts.wait ?? ((ms, signal) => sleep(ms, undefined, { ref: false, signal }))
  }

  key (): this {
    return this
  }

  schedule<A extends unknown[], T> (jobOptions: unknown, fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> {
    const request = signalOf(jobOptions)
    if (this.spacingMs <= 0) return Promise.resolve(fn(...args))
    const now = Date.now()
    const startAt = Math.max(now, this.nextStart)
    if (startAt - now > this.maxWaitMs) return Promise.reject(new LaneFullError(Math.ceil((startAt - now) / 1000), this.name))
    this.nextStart = startAt + this.spacingMs
    if (startAt === now) return Promise.resolve(fn(...args))
    // The wait ends early when the caller cancels or the client closes, and its timer never
    // keeps the process alive. (The slot stays booked: spacing errs on the safe side.)
    const signal = request ? AbortSignal.any([request, this.closed.signal]) : this.closed.signal
    return this.wait(startAt - now, signal).then(() => fn(...args))
  }

  /** Rejects every job still waiting for its slot (client shutdown). */
  close (): void {
    this.closed.abort(new Error('GitHub client closed'))
  }
}

type FailedListener = (error: unknown, info: { args: unknown[], retryCount: number }) => unknown

/**
 * Stands in for the throttling plugin's per-client Bottleneck retry limiter: runs a job and, when
 * the plugin's 'failed' listener answers with a delay (a rate limit worth waiting for), runs it
 * again after that delay. Bottleneck's local store yields through setTimeout(0) several times per
 * job, which added ~5 ms to every upstream request; this adds nothing on success.
 */
export class RetryRunner {
  private listener: FailedListener | undefined

  on (event: string, listener: FailedListener): void {
    if (event === 'failed') this.listener = listener
  }

  schedule<A extends unknown[], T> (fn: (...args: A) => Promise<T>, ...args: A): Promise<T> {
    // The plugin calls this with (state, request, options).
    const options = args[2] as { request?: { signal?: AbortSignal } } | undefined
    const signal = options?.request?.signal
    return this.attempts(fn, args, signal instanceof AbortSignal ? signal : undefined)
  }

  private async attempts<A extends unknown[], T> (fn: (...args: A) => Promise<T>, args: A, signal: AbortSignal | undefined): Promise<T> {
    for (let retryCount = 0; ; retryCount++) {
      try {
        let attempt: Promise<T>
        starting = signal // read by the lanes the attempt books synchronously (see signalOf)
        try {
          attempt = fn(...args)
        } finally {
          starting = undefined
        }
        return await attempt
      } catch (error) {
        const wait = await this.listener?.(error, { args, retryCount })
        if (typeof wait !== 'number') throw error
        await sleep(wait, undefined, { signal }) // part of an in-flight request: keeps the process up like it
      }
    }
  }
}
