// GitHub user tokens at rest: sealed with AES-256-GCM under TOKEN_ENCRYPTION_KEY (a random
// 96-bit nonce per seal; the record's key is bound as additional data, so a sealed token copied
// under another grant does not open), kept per OAuth grant in the Kv store. Only this file ever
// sees a GitHub token in clear, and it hands it out wrapped in a Credential.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { Credential } from '../auth/credential.js'
import type { Kv } from './kv.js'

const VERSION = 'v1'

export class SealedTokens {
  constructor (private readonly kv: Kv, private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('TOKEN_ENCRYPTION_KEY must be 32 bytes')
  }

  private recordKey (grantId: string): string {
    return `githubToken:${grantId}`
  }

  seal (recordKey: string, token: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(recordKey))
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()])
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.')
  }

  /** Null when the record was not sealed under this key for this record (tampered, wrong key). */
  open (recordKey: string, sealed: string): string | null {
    const [version, iv, body, tag] = sealed.split('.')
    if (version !== VERSION || iv === undefined || body === undefined || tag === undefined) return null
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(recordKey))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      return null
    }
  }

  /** Keeps a grant's GitHub token (sealed) and its user's login (for audit lines; not secret). */
  async put (grantId: string, user: { token: string, login: string }, ttlS: number): Promise<void> {
    const key = this.recordKey(grantId)
    await this.kv.set(key, JSON.stringify({ login: user.login, token: this.seal(key, user.token) }), ttlS)
  }

  /** The grant's user, or null when there is none or it does not open under this key. */
  async get (grantId: string): Promise<{ credential: Credential, login: string } | null> {
    const key = this.recordKey(grantId)
    const raw = await this.kv.get(key)
    if (raw === undefined) return null
    let record: { login?: unknown, token?: unknown }
    try { record = JSON.parse(raw) as typeof record } catch { return null }
    if (typeof record.login !== 'string' || typeof record.token !== 'string') return null
    const token = this.open(key, record.token)
    return token === null ? null : { credential: new Credential(token), login: record.login }
  }

  async delete (grantId: string): Promise<void> {
    await this.kv.del(this.recordKey(grantId))
  }
}
