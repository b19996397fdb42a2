// oidc-provider's storage adapter over the Kv store: one JSON record per model and id, plus the
// indexes the provider asks for (a session by uid, a grant's members so a whole grant can be
// revoked at once: refresh-token reuse, revocation).
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider'
import type { Kv } from './kv.js'

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'])

const grantKey = (id: string) => `grant:${id}`
const uidKey = (uid: string) => `sessionUid:${uid}`
const userCodeKey = (code: string) => `userCode:${code}`
const usedKey = (key: string) => `used:${key}`

export interface AdapterHooks {
  /** A grant was revoked here (a token used twice at once), not by oidc-provider: drop what hangs on it. */
  grantRevoked?: (grantId: string) => Promise<void>
}

export function adapterFactory (kv: Kv, hooks: AdapterHooks = {}) {
  return class KvAdapter implements Adapter {
    constructor (private readonly model: string) {}

    private key (id: string): string {
      return `${this.model}:${id}`
    }

    private what (): string {
      return this.model === 'RefreshToken' ? 'refresh token' : this.model === 'AuthorizationCode' ? 'authorization code' : 'grant'
    }

    async upsert (id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = this.key(id)
      await kv.set(key, JSON.stringify(payload), expiresIn)
      if (GRANTABLE.has(this.model) && payload.grantId) await kv.addToSet(grantKey(payload.grantId), key, expiresIn)
      if (payload.uid !== undefined && this.model === 'Session') await kv.set(uidKey(payload.uid), id, expiresIn)
      if (payload.userCode !== undefined) await kv.set(userCodeKey(payload.userCode), id, expiresIn)
    }

    async find (id: string): Promise<AdapterPayload | undefined> {
      const raw = await kv.get(this.key(id))
      return raw === undefined ? undefined : JSON.parse(raw) as AdapterPayload
    }

    async findByUid (uid: string): Promise<AdapterPayload | undefined> {
      const id = await kv.get(uidKey(uid))
      return id === undefined ? undefined : await this.find(id)
    }

    async findByUserCode (userCode: string): Promise<AdapterPayload | undefined> {
      const id = await kv.get(userCodeKey(userCode))
      return id === undefined ? undefined : await this.find(id)
    }

    /**
     * Marks a code or refresh token used; its reuse is what then revokes the grant. oidc-provider
     * reads `consumed` first and calls this later, so two requests (on two replicas, or one) could
     * both find the token unused: the claim is atomic, and the request that loses it is reuse, which
     * revokes the whole grant as a later reuse would. A token that is gone by now was revoked or
     * destroyed after oidc-provider read it (often by that reuse): it is refused too, or the late
     * request would go on to issue tokens from it.
     */
    async consume (id: string): Promise<void> {
      const payload = await this.find(id)
      if (payload === undefined) throw new errors.InvalidGrant(`${this.what()} no longer valid`)
      const now = Math.floor(Date.now() / 1000)
      const ttlS = typeof payload.exp === 'number' ? Math.max(1, payload.exp - now) : undefined
      if (!await kv.claim(usedKey(this.key(id)), ttlS)) {
        if (payload.grantId !== undefined) await this.revokeGrant(payload.grantId)
        throw new errors.InvalidGrant(`${this.what()} already used`)
      }
      payload.consumed = now
      await kv.set(this.key(id), JSON.stringify(payload), ttlS)
    }

    /** Every token of the grant, and the grant itself: tokens the race's winner is saving now die with it. */
    private async revokeGrant (grantId: string): Promise<void> {
      await this.revokeByGrantId(grantId)
      await kv.del(`Grant:${grantId}`)
      await hooks.grantRevoked?.(grantId)
    }

    async destroy (id: string): Promise<void> {
      await kv.del(this.key(id))
    }

    async revokeByGrantId (grantId: string): Promise<void> {
      const members = await kv.members(grantKey(grantId))
      await kv.del(...members, grantKey(grantId))
    }
  }
}
