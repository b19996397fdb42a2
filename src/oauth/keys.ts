// Secrets the OAuth server derives from TOKEN_ENCRYPTION_KEY (HKDF-SHA256, one label each), so
// every replica given the same key signs, seals and checks alike, and one variable is all an
// operator keeps. Without the key (development only) a random one is used: sign-ins then last as
// long as the process.
import { createPrivateKey, hkdfSync, randomBytes } from 'node:crypto'
import type { JWK } from 'oidc-provider'

export interface OAuthSecrets {
  /** AES-256-GCM key of the sealed GitHub tokens. */
  sealing: Buffer
  /** oidc-provider's cookie signing keys. */
  cookies: string[]
  /** HMAC key binding the GitHub leg's `state` to its interaction. */
  state: Buffer
  /** Ed25519 key the server signs with (ID tokens, JWKS): derived, so replicas agree. */
  signing: JWK
}

// PKCS#8 prefix of an Ed25519 private key: the 32-byte seed follows it.
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex')

export function deriveSecrets (root: Buffer | null): OAuthSecrets {
  const ikm = root ?? randomBytes(32)
  const derive = (label: string) => Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), `mcp-gateway oauth ${label}`, 32))
  const seed = derive('signing')
  const jwk = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' })
  return {
    sealing: derive('sealing'),
    cookies: [derive('cookies').toString('base64url')],
    state: derive('state'),
    signing: { ...jwk, alg: 'EdDSA', use: 'sig', kid: derive('kid').toString('base64url').slice(0, 16) } as JWK,
  }
}
