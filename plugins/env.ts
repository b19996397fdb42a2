import fp from 'fastify-plugin'
import fastifyEnv from '@fastify/env'
import { ConfigError, ConfigSchema, credentialProblems, type Config } from '../src/config.js'
import { oauthProblems } from '../src/oauth/settings.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface EnvPluginOptions {
  /** The variables to validate: `process.env` in production, a literal object in tests. */
  env: Record<string, string | undefined>
}

/** The part of an ajv error we read (ajv is env-schema's dependency, not ours). */
interface ErrorObject { instancePath: string; schemaPath: string; keyword: string; params: Record<string, unknown>; message?: string }

export { ConfigError } from '../src/config.js'

/** One line per problem, naming the variable, instead of ajv's single comma-joined sentence. */
export function describeProblems (errors: ErrorObject[]): string[] {
  const lines: string[] = []
  for (const e of errors) {
    const name = e.instancePath.replace(/^\//, '')
    if (e.schemaPath.startsWith('#/then')) continue // summarised by the `if` error below
    if (e.keyword === 'if') lines.push('AUTH_KEYS (or AUTH_KEYS_FILE), or OAuth (GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER), is required when NODE_ENV=production')
    else if (e.keyword === 'required') lines.push(`${String(e.params.missingProperty)} is required`)
    else if (e.keyword === 'enum') lines.push(`${name} must be one of ${(e.params.allowedValues as string[]).join(', ')}`)
    else lines.push(`${name} ${e.message ?? 'is invalid'}`)
  }
  return [...new Set(lines)]
}

async function env (app: import('fastify').FastifyInstance, opts: EnvPluginOptions) {
  // An empty variable means "unset" (Compose and Kubernetes make empty ones easily).
  const data = Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined && v !== ''))
  try {
    // @fastify/env (env-schema) validates with ajv: coercion, defaults, and removal of unknown keys.
    await app.register(fastifyEnv, { schema: structuredClone(ConfigSchema), data, dotenv: false })
  } catch (err) {
    const errors = (err as { errors?: ErrorObject[] }).errors
    // All problems at once: the credential rule below is checked on the raw values too.
    throw errors ? new ConfigError([...describeProblems(errors), ...credentialProblems(data)]) : err
  }
  // Across fields, with messages a schema could not give: one service credential, and a usable
  // one; OAuth's joint rules (PUBLIC_URL, …). One line each, like the above.
  const joint = [...credentialProblems(app.config), ...oauthProblems(app.config)]
  if (joint.length > 0) throw new ConfigError(joint)
}

export default fp(env, { name: 'env' })
