import { createPrivateKey } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'

// The one environment schema. `.env.schema.json` is generated from it (`npm run gen:schema`)
// and the README's configuration table from that file; tests prove both are current.
// Defaults, ranges and patterns live here, never in scattered parseInt(... || '60').
const Int = (description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ description, default: def, minimum, maximum })

// A plain `enum` gives one readable error ("must be one of …") where a union of literals gives four.
const StringEnum = <T extends string>(values: readonly T[], description: string, def: T) =>
  Type.Unsafe<T>({ type: 'string', enum: values, description, default: def })

export const ConfigSchema = Type.Object(
  {
    NODE_ENV: StringEnum(['development', 'production', 'test'], '`production` requires AUTH_KEYS or AUTH_KEYS_FILE, or OAuth (GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER)', 'development'),
    PORT: Int('TCP port to listen on', 3001, 1, 65535),
    HOST: Type.String({ description: 'Bind address (`0.0.0.0` in the container image)', default: '127.0.0.1', minLength: 1 }),
    LOG_LEVEL: StringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'pino log level', 'info'),
    GITHUB_TOKEN: Type.Optional(Type.String({ description: 'GitHub token the gateway acts with (required unless a GitHub App is configured; never logged)', minLength: 1 })),
    GITHUB_APP_ID: Type.Optional(Type.String({
      description: 'A GitHub App as the service credential instead of GITHUB_TOKEN: its App ID (or client ID); needs GITHUB_APP_PRIVATE_KEY',
      pattern: '^(?:[0-9]+|Iv[0-9A-Za-z.]+)$'
    })),
    GITHUB_APP_PRIVATE_KEY: Type.Optional(Type.String({
      description: 'The App\'s private key, PEM as GitHub gives it (newlines may be written `\\n`; never logged)', minLength: 1
    })),
    GITHUB_APP_INSTALLATION_ID: Type.Optional(Type.Integer({
      description: 'Use this installation of the App for every request; default: the installation on the account that owns the repository', minimum: 1
    })),
    GITHUB_API_URL: Type.String({
      description: 'GitHub REST base URL; GitHub Enterprise Server: `https://HOST/api/v3`',
      default: 'https://api.github.com',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$'
    }),
    GITHUB_REQUEST_TIMEOUT_MS: Int('Timeout of one upstream GitHub request', 30000, 1000, 300000),
    AUTH_KEYS: Type.Optional(Type.String({
      description: 'Comma-separated API keys; an entry may be `sha256:<64 hex>`. Development without keys: one random key is generated and printed'
    })),
    AUTH_KEYS_FILE: Type.Optional(Type.String({
      description: 'Path of a JSON key file with named, scoped keys (docs/security.md, Scoped keys)', minLength: 1
    })),
    RATE_LIMIT_MAX: Int('Requests per window per API key', 60, 1, 1000000),
    RATE_LIMIT_WINDOW_MS: Int('Rate-limit window length', 60000, 1000, 86400000),
    AUTH_FAILURE_MAX: Int('Failed authentications per client address per window before 429', 10, 1, 100000),
    ALLOWED_ORIGINS: Type.String({
      description: 'Comma list of browser origins allowed (CORS and Origin check); `*` allows any', default: ''
    }),
    ALLOWED_HOSTS: Type.Optional(Type.String({
      description: 'Comma list of accepted Host header names (DNS-rebinding defence); default: loopback names when HOST is loopback, else any'
    })),
    TRUST_PROXY: Type.String({
      description: 'Believe `X-Forwarded-For`/`-Host`: `false`, a number N of proxies in front (the client is the address the Nth proxy saw), or `true` (any hop: only when no client can reach the gateway directly)',
      default: 'false',
      pattern: '^(true|false|[0-9]{1,2})$'
    }),
    REDIS_URL: Type.Optional(Type.String({
      description: 'Redis URL for rate-limit state shared across replicas; absent: in-process store', pattern: '^rediss?://'
    })),
    MCP_STATELESS: Type.Boolean({ description: 'No MCP sessions: any replica serves any request', default: false }),
    SESSION_IDLE_TTL_MS: Int('Idle time after which a session is closed', 1800000, 1000, 604800000),
    MAX_SESSIONS: Int('Open sessions per process (503 beyond)', 10000, 1, 1000000),
    MAX_SESSIONS_PER_KEY: Int('Open sessions per API key (429 beyond)', 100, 1, 1000000),
    CONFIRM_BATCH_LABEL_OVER: Int('A `batch_label_issues` call naming more issues than this asks the user first, where the client can answer (0: every batch asks, 25: none does; docs/mcp.md, Confirmations)', 5, 0, 25),
    REQUEST_STATE_KEY: Type.Optional(Type.String({
      description: 'Base64 of 32 random bytes (`openssl rand -base64 32`), the same on every replica: seals what a confirmation asked, so a 2026-07-28 client\'s answer completes on any replica; absent: a random key per process, and such an answer completes only on the replica that asked (never logged)',
      pattern: '^[A-Za-z0-9+/]{43}=$'
    })),
    SHUTDOWN_TIMEOUT_MS: Int('Drain budget on SIGTERM/SIGINT before a forced exit 1', 10000, 100, 600000),
    SHUTDOWN_DRAIN_DELAY_MS: Int('Keep listening (readiness 503) this long after a signal before closing', 0, 0, 600000),
    BODY_LIMIT_BYTES: Int('Largest accepted POST body (413 beyond)', 1048576, 1024, 67108864),
    HEADERS_TIMEOUT_MS: Int('Time a client has to send a request\'s headers; then 408 and the connection is closed (slow-header defence)', 30000, 1000, 600000),
    REQUEST_TIMEOUT_MS: Int('Time a client has to send a whole request, headers and body; then 408 and close (slow-body defence). At least HEADERS_TIMEOUT_MS', 60000, 1000, 3600000),
    KEEP_ALIVE_TIMEOUT_MS: Int('Idle keep-alive connections are closed after this; keep it above the idle timeout of a load balancer in front', 72000, 1000, 600000),
    METRICS_ENABLED: Type.Boolean({ description: 'Serve Prometheus metrics on `GET /metrics`', default: true }),
    GITHUB_WEBHOOK_SECRET: Type.Optional(Type.String({
      description: 'Secret of the GitHub webhook; enables `POST /webhooks/github` (signature `X-Hub-Signature-256` checked with it; never logged). At least 16 characters',
      minLength: 16
    })),
    WEBHOOK_FRESHNESS_MS: Int('While webhooks for a repository are live, its reads may be served from cache without revalidating for at most this long; 0: always revalidate', 60000, 0, 3600000),
    WEBHOOK_BODY_LIMIT_BYTES: Int('Largest accepted webhook delivery (413 beyond)', 1048576, 1024, 26214400),
    WEBHOOK_REDIS_PREFIX: Type.String({
      description: 'Prefix of the webhook delivery keys and the update channel in Redis; replicas of one deployment share it',
      default: 'mcp-gateway:webhooks:', minLength: 1, pattern: '^\\S+$'
    }),
    PUBLIC_URL: Type.Optional(Type.String({
      description: 'The gateway\'s external base URL (`https://mcp.example.com`): OAuth metadata, `WWW-Authenticate` and redirects are built from it; required when OAuth is on',
      pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$'
    })),
    GITHUB_WEB_URL: Type.String({
      description: 'Where GitHub\'s OAuth web flow lives (`/login/oauth/authorize`, `/login/oauth/access_token`); GHES: `https://HOST`',
      default: 'https://github.com',
      pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$'
    }),
    GITHUB_OAUTH_CLIENT_ID: Type.Optional(Type.String({
      description: 'With GITHUB_OAUTH_CLIENT_SECRET: MCP clients sign in with GitHub (docs/oauth.md); each user\'s calls use their own GitHub token', minLength: 1
    })),
    GITHUB_OAUTH_CLIENT_SECRET: Type.Optional(Type.String({ description: 'The GitHub OAuth App\'s client secret (never logged)', minLength: 1 })),
    TOKEN_ENCRYPTION_KEY: Type.Optional(Type.String({
      description: 'Base64 of 32 random bytes (`openssl rand -base64 32`): encrypts stored GitHub user tokens (AES-256-GCM) and keys the OAuth server\'s cookies and signing key; required with OAuth in production, the same on every replica',
      pattern: '^[A-Za-z0-9+/]{43}=$'
    })),
    OAUTH_ACCESS_TOKEN_TTL_S: Int('Lifetime of the access tokens the gateway\'s OAuth server issues (refresh tokens renew them); at least 120: clients such as mcp-remote refresh a minute before expiry', 600, 120, 86400),
    OAUTH_ISSUER: Type.Optional(Type.String({
      description: 'Resource-server mode (docs/oauth.md): accept JWT access tokens from this existing issuer, written exactly as their `iss` (JWKS from its discovery document)',
      pattern: '^https?://[^\\s?#]+$'
    })),
    OAUTH_AUDIENCE: Type.Optional(Type.String({ description: 'Resource-server mode: the audience tokens must carry; default PUBLIC_URL + `/mcp`', minLength: 1 }))
  },
  {
    additionalProperties: false,
    // Cross-field rule, kept in the schema so it is documented and validated in one place.
    if: { properties: { NODE_ENV: { const: 'production' } }, required: ['NODE_ENV'] },
    then: { anyOf: [{ required: ['AUTH_KEYS'] }, { required: ['AUTH_KEYS_FILE'] }, { required: ['GITHUB_OAUTH_CLIENT_ID'] }, { required: ['OAUTH_ISSUER'] }] }
  }
)

export type Config = Static<typeof ConfigSchema>

/**
 * Thrown for invalid configuration (environment, key file); `problems` has one line each.
 * The process entry prints them and exits 1 before binding a port.
 */
export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'ConfigError'
  }
}

/** A PEM from the environment: `\n` written out (one-line .env files, CI secrets) read as newlines. */
export function pemFromEnv (value: string): string {
  return value.includes('\n') ? value : value.replace(/\\n/g, '\n')
}

/** The service credential rule: a token or a GitHub App, exactly one, the App complete and its key usable. */
export function credentialProblems (c: Pick<Config, 'GITHUB_TOKEN' | 'GITHUB_APP_ID' | 'GITHUB_APP_PRIVATE_KEY' | 'GITHUB_APP_INSTALLATION_ID'>): string[] {
  const app = c.GITHUB_APP_ID !== undefined || c.GITHUB_APP_PRIVATE_KEY !== undefined || c.GITHUB_APP_INSTALLATION_ID !== undefined
  if (!app) return c.GITHUB_TOKEN === undefined ? ['GITHUB_TOKEN is required (or a GitHub App: GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)'] : []
  const problems: string[] = []
  if (c.GITHUB_TOKEN !== undefined) problems.push('GITHUB_TOKEN and a GitHub App (GITHUB_APP_*) are both set: keep one service credential')
  if (c.GITHUB_APP_ID === undefined) problems.push('GITHUB_APP_ID is required with the other GITHUB_APP_* settings')
  if (c.GITHUB_APP_PRIVATE_KEY === undefined) {
    problems.push('GITHUB_APP_PRIVATE_KEY is required with GITHUB_APP_ID')
  } else {
    // Never the key itself in the message: only what is wrong with it.
    try {
      const key = createPrivateKey(pemFromEnv(c.GITHUB_APP_PRIVATE_KEY))
      if (key.asymmetricKeyType !== 'rsa') problems.push(`GITHUB_APP_PRIVATE_KEY must be an RSA key (GitHub Apps sign with RS256), not ${key.asymmetricKeyType ?? 'this type'}`)
    } catch {
      problems.push('GITHUB_APP_PRIVATE_KEY is not a PEM private key (paste the whole .pem file GitHub gave you, BEGIN and END lines included)')
    }
  }
  return problems
}

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const

/** Splits a comma list, trimming and dropping empty entries. */
export function list (value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)
}

/**
 * TRUST_PROXY as Fastify's trust function over hops (0 = the socket's peer). A hop count is the
 * safe form: with `true` the leftmost X-Forwarded-For entry, which the client writes, would be
 * believed, and the per-address brute-force limit could be dodged by rotating it.
 */
export function proxyTrust (value: string): (hop: number) => boolean {
  if (value === 'true') return () => true
  const hops = value === 'false' ? 0 : Number(value)
  return (hop) => hop < hops
}

export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
