// GitHub's primary rate limits: a fixed window per bucket (core 5000/hour, search 30/minute) that
// refills when its reset time passes. Reported in x-ratelimit-* headers and GET /rate_limit.
import type { RateBucket } from './http-kit.js'

const nowSec = (): number => Math.floor(Date.now() / 1000)

export class Quota {
  private limit: number
  private remaining: number
  private reset: number
  /** Requests that spent quota since start or restore(), across windows (what a run cost). */
  spent = 0

  constructor(private readonly defaultLimit: number, private readonly windowSec: number) {
    this.limit = defaultLimit
    this.remaining = defaultLimit
    this.reset = nowSec() + windowSec
  }

  /** Back to a full, fresh window (stand-in reset()). */
  restore(): void {
    this.limit = this.defaultLimit
    this.remaining = this.defaultLimit
    this.reset = nowSec() + this.windowSec
    this.spent = 0
  }

  /**
   * Forces the bucket's state. A `remaining` above the limit raises the limit with it, so a
   * benchmark can lift the cap (setRateLimit(1e6)) and the headers still add up (used >= 0).
   */
  set(remaining: number, resetEpochSeconds?: number): void {
    this.remaining = Math.max(0, Math.floor(remaining))
    this.limit = Math.max(this.defaultLimit, this.remaining)
    this.reset = resetEpochSeconds ?? nowSec() + this.windowSec
  }

  /** Refills once the window has passed, like GitHub does at x-ratelimit-reset. */
  private refresh(): void {
    const now = nowSec()
    if (now >= this.reset) {
      this.remaining = this.limit
      this.reset = now + this.windowSec
    }
  }

  exhausted(): boolean {
    this.refresh()
    return this.remaining === 0
  }

  take(): void {
    this.refresh()
    if (this.remaining > 0) {
      this.remaining--
      this.spent++
    }
  }

  snapshot(): RateBucket {
    this.refresh()
    return { limit: this.limit, remaining: this.remaining, reset: this.reset, used: this.limit - this.remaining }
  }

  headers(resource: 'core' | 'search'): Record<string, string> {
    const s = this.snapshot()
    return {
      'x-ratelimit-limit': String(s.limit),
      'x-ratelimit-remaining': String(s.remaining),
      'x-ratelimit-reset': String(s.reset),
      'x-ratelimit-used': String(s.used),
      'x-ratelimit-resource': resource,
    }
  }
}
