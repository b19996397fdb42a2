// What the bench runs with: load shape, the API key, and the environment both servers get.
// Every knob a reader may want to turn is an environment variable of `npm run bench`.
import { randomBytes } from 'node:crypto'
import { SANDBOX_TOKEN } from '../sandbox/github-standin.js'

export function positiveInt (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

export const BENCH = {
  /** autocannon connections for every throughput scenario (the targets are at 20). */
  connections: positiveInt('BENCH_CONNECTIONS', 20),
  /** Measured seconds per round and server. */
  seconds: positiveInt('BENCH_SECONDS', 5),
  /** Rounds per scenario; each round runs the baseline, then the gateway (A B A B …). */
  rounds: positiveInt('BENCH_ROUNDS', 3),
  /** Un-measured warm-up seconds per scenario and server before the first round (JIT, pools). */
  warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', 3),
  /** Idle sessions opened for the memory scenario. */
  memorySessions: positiveInt('BENCH_MEMORY_SESSIONS', 2000)
}

/** The agent workload (bench/agents/): one measured run per server, after a warm-up. */
export const AGENTS = {
  /** Agents, each its own MCP session calling tools one after another. */
  agents: positiveInt('BENCH_AGENTS', 20),
  /** Measured seconds per server; searches are budgeted per minute, so at least 60 shows a full window. */
  seconds: positiveInt('BENCH_AGENT_SECONDS', 60),
  /** The stand-in's delay before every answer: GitHub's own latency. */
  latencyMs: positiveInt('BENCH_AGENT_LATENCY_MS', 60),
  /** People's edits to the hot issues per second, which change their ETags. */
  editsPerSecond: positiveInt('BENCH_AGENT_EDITS_PER_SECOND', 2)
}

/** webhook_delay: a delivery to one replica, its notification on the other (bench/webhook-delay.ts). */
export const WEBHOOK_DELAY = {
  /** Clients subscribed on replica A, each with its GET stream open. */
  subscribers: positiveInt('BENCH_WEBHOOK_SUBSCRIBERS', 50),
  /** Measured deliveries posted to replica B, one at a time. */
  deliveries: positiveInt('BENCH_WEBHOOK_DELIVERIES', 200),
  /** Un-measured deliveries first (connections, JIT). */
  warmup: 10
}

/**
 * BENCH_ONLY=get_issue,memory runs a subset (scenario ids, or `memory`); unset runs everything
 * but the opt-in experiment (`handlers`), which runs only when named.
 */
export const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean)
export const selected = (id: string): boolean => ONLY.length === 0 || ONLY.includes(id)
/** A part of an opt-in experiment runs when BENCH_ONLY names it or the whole experiment. */
export const optedIn = (id: string, experiment: string): boolean => ONLY.includes(id) || ONLY.includes(experiment)
/** A subset run prints its tables but leaves bench/results.json and RESULTS.md alone. */
export const partialRun = ONLY.length > 0

/** The command as run, with the BENCH_* overrides in force, for the results files. */
export const COMMAND = [
  ...Object.entries(process.env).filter(([k, v]) => k.startsWith('BENCH_') && v).map(([k, v]) => `${k}=${v}`).sort(),
  'npm run bench'
].join(' ')

export const API_KEY = 'bench-key-0123456789abcdef0123456789'

/**
 * Limits high enough that the bench never meets them. The window is short (1 s) because the
 * baseline's sliding-window log costs O(requests in the window) per request: a long window would
 * slow the baseline for a reason that is the bench's configuration, not its design.
 */
const LIMITS = { RATE_LIMIT_MAX: '1000000', RATE_LIMIT_WINDOW_MS: '1000' }

const REQUEST_STATE_KEY = randomBytes(32).toString('base64')

export function serverEnv (githubUrl: string, stateless: boolean): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    GITHUB_TOKEN: SANDBOX_TOKEN,
    GITHUB_API_URL: githubUrl,
    AUTH_KEYS: API_KEY,
    // As in production: one sealing key for every replica (and no start-up warning in the output).
    REQUEST_STATE_KEY: REQUEST_STATE_KEY,
    MCP_STATELESS: String(stateless),
    MAX_SESSIONS: '1000000',
    MAX_SESSIONS_PER_KEY: '1000000',
    ...LIMITS
  }
}
