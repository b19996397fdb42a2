// GitHub's secondary rate limits, opt-in (the agent-workload benchmark turns them on; the demo and
// the tests leave them off): at most 30 searches a minute, and content-creating writes at most 80 a
// minute and 500 an hour. Past a limit the stand-in answers as GitHub does: 403, "You have exceeded
// a secondary rate limit", a retry-after header, and the primary x-ratelimit-* headers untouched,
// so a client that ignores the limits sees the 403s it would see on GitHub.
// Not modelled: GitHub's 100 concurrent requests, 900 points a minute per endpoint and CPU-time
// rules (docs/benchmarks.md says why).
import { fail, type Answer } from './http-kit.js'

export interface SecondaryLimitOptions {
  searchesPerMinute?: number
  writesPerMinute?: number
  writesPerHour?: number
  /** Milliseconds clock; tests pass their own so no test waits for a minute to pass. */
  now?: () => number
}

const MINUTE = 60_000
const HOUR = 3_600_000
const DOC = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits'

/** A sliding window of admission times: at most `max` in any `spanMs`. */
class Window {
  private readonly times: number[] = []
  constructor(private readonly max: number, private readonly spanMs: number) {}

  /** Milliseconds until a slot frees at `now` (0: one is free). */
  waitAt(now: number): number {
    while (this.times.length > 0 && now - this.times[0] >= this.spanMs) this.times.shift()
    return this.times.length < this.max ? 0 : this.times[0] + this.spanMs - now
  }

  add(now: number): void { this.times.push(now) }
}

// GitHub counts requests that create content or trigger notifications; every write does here.
const isWrite = (method: string): boolean => method !== 'GET' && method !== 'HEAD'

export class SecondaryLimits {
  private readonly search: Window
  private readonly writes: Window[]
  private readonly now: () => number
  /** 403s answered so far: what a client that ignores the limits was refused. */
  refused = 0

  constructor(opts: SecondaryLimitOptions = {}) {
    this.search = new Window(opts.searchesPerMinute ?? 30, MINUTE)
    this.writes = [new Window(opts.writesPerMinute ?? 80, MINUTE), new Window(opts.writesPerHour ?? 500, HOUR)]
    this.now = opts.now ?? Date.now
  }

  /**
   * Admits the request (and counts it) or returns the seconds to wait, for retry-after. A refused
   * request is not counted: on GitHub, waiting out the retry-after is enough to be served again.
   */
  admit(method: string, bucket: 'core' | 'search' | 'free'): number | undefined {
    const windows = bucket === 'search' ? [this.search] : bucket === 'core' && isWrite(method) ? this.writes : []
    if (windows.length === 0) return undefined
    const now = this.now()
    const waitMs = Math.max(...windows.map((w) => w.waitAt(now)))
    if (waitMs > 0) {
      this.refused++
      return Math.max(1, Math.ceil(waitMs / 1000))
    }
    for (const w of windows) w.add(now)
    return undefined
  }
}

/** GitHub's secondary-limit body (the caller adds retry-after and the usual headers). */
export function secondaryLimitAnswer(requestId: string): Answer {
  return fail(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
    `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`, DOC)
}
