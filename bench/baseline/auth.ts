// The seed tutorial's AuthService, kept as the tutorial wrote it: an API key from the X-API-Key
// header looked up in a list (a Set) of configured keys. No hashing, no constant-time compare,
// no brute-force limit — those are what the gateway adds; this is the baseline it is measured against.
import type { NextFunction, Request, Response } from 'express'

export class AuthService {
  private readonly validKeys: Set<string>

  constructor (keys: string[]) {
    this.validKeys = new Set(keys.map((k) => k.trim()).filter(Boolean))
  }

  validate (apiKey: string | undefined): boolean {
    if (!apiKey) return false
    return this.validKeys.has(apiKey)
  }

  middleware () {
    return (req: Request, res: Response, next: NextFunction): void => {
      const apiKey = req.headers['x-api-key']
      const key = typeof apiKey === 'string' ? apiKey : undefined
      if (!key) {
        res.status(401).json({ error: 'Missing X-API-Key header' })
        return
      }
      if (!this.validate(key)) {
        res.status(403).json({ error: 'Invalid API key' })
        return
      }
      next()
    }
  }
}
