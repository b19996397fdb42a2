// The upstream credential a caller acts with when they act as themselves (an OAuth user's own
// GitHub token), carried on their Access. The secret sits in a private field: JSON, pino and
// util.inspect see only its id, so an object holding one can be logged or thrown without
// leaking it.
import { createHash } from 'node:crypto'
import { inspect } from 'node:util'

export class Credential {
  readonly #secret: string
  /** First 16 hex of the secret's SHA-256: separates caches per credential, safe to log. */
  readonly id: string

  constructor (secret: string) {
    this.#secret = secret
    this.id = createHash('sha256').update(secret).digest('hex').slice(0, 16)
  }

  /** The secret itself, for the one place that puts it on the wire. */
  reveal (): string {
    return this.#secret
  }

  toJSON (): string {
    return `[credential ${this.id}]`
  }

  toString (): string {
    return this.toJSON()
  }

  [inspect.custom] (): string {
    return this.toJSON()
  }
}
