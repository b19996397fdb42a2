// Failed authentications per client address, in fixed windows, in process memory.
// Bounded: expired windows are dropped when the map fills up, and past `maxEntries` the oldest
// window goes first (a flood of distinct addresses cannot grow memory without limit).
// Per replica on purpose: the budget is small, and a guesser spread over N replicas gets
// N × budget guesses per window, still far too few against 256-bit keys.

interface Window { count: number; resetAt: number }

export interface FailureCounterOptions {
  /** Failures allowed per address per window; further requests are refused. */
  max: number
  windowMs: number
  maxEntries?: number
  now?: () => number
}

export class FailureCounter {
  private readonly windows = new Map<string, Window>()
  private readonly max: number
  private readonly windowMs: number
  private readonly maxEntries: number
  private readonly now: () => number

  constructor (opts: FailureCounterOptions) {
    this.max = opts.max
    this.windowMs = opts.windowMs
    this.maxEntries = opts.maxEntries ?? 10_000
    this.now = opts.now ?? Date.now
  }

  get size (): number { return this.windows.size }

  /** Seconds until the address may try again, or 0 when it is within its budget. */
  blockedFor (address: string): number {
    const window = this.current(address)
    if (window === undefined || window.count < this.max) return 0
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000))
  }

  /** Counts one failure. */
  record (address: string): void {
    const window = this.current(address)
    if (window !== undefined) {
      window.count++
      return
    }
    if (this.windows.size >= this.maxEntries) this.evict()
    this.windows.set(address, { count: 1, resetAt: this.now() + this.windowMs })
  }

  private current (address: string): Window | undefined {
    const window = this.windows.get(address)
    if (window !== undefined && window.resetAt <= this.now()) {
      this.windows.delete(address)
      return undefined
    }
    return window
  }

  private evict (): void {
    const now = this.now()
    for (const [address, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(address)
    }
    // Insertion order is window-start order, so the first entry is the oldest window.
    if (this.windows.size >= this.maxEntries) {
      const oldest = this.windows.keys().next()
      if (oldest.done !== true) this.windows.delete(oldest.value)
    }
  }
}
