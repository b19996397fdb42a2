// The seed tutorial's RateLimiter: an in-memory Map of API key → request timestamps, a sliding
// window log. Each request drops timestamps older than the window, then counts what is left, so a
// request costs O(requests in the window); the bench keeps the window short (see bench/config.ts)
// so this does not dominate the baseline's figures.
import type { NextFunction, Request, Response } from 'express'

export class RateLimiter {
  private readonly requests = new Map<string, number[]>()

  constructor (private readonly maxRequests: number, private readonly windowMs: number) {}

  isAllowed (key: string): boolean {
    const now = Date.now()
    const timestamps = (this.requests.get(key) ?? []).filter((t) => now - t < this.windowMs)
    if (timestamps.length >= this.maxRequests) {
      this.requests.set(key, timestamps)
      return false
    }
    timestamps.push(now)
    this.requests.set(key, timestamps)
    return true
  }

  middleware () {
    return (req: Request, res: Response, next: NextFunction): void => {
      const key = String(req.headers['x-api-key'] ?? req.ip ?? 'anonymous')
      if (!this.isAllowed(key)) {
        res.status(429).json({ error: 'Too many requests, please try again later' })
        return
      }
      next()
    }
  }
}
