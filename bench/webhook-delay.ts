// webhook_delay: how long a change takes from GitHub's POST to a subscribed client, across replicas.
// Two gateway processes share the local Redis (their own WEBHOOK_REDIS_PREFIX); N clients hold a
// session on replica A, each subscribed to one issue with its GET stream open; signed `issues`
// deliveries (GitHub's envelope around the stand-in's own REST objects) are posted to replica B one
// at a time, and each delay runs from the POST to that client's notifications/resources/updated.
import { randomBytes, randomUUID } from 'node:crypto'
import { sign } from '@octokit/webhooks-methods'
import { Redis } from 'ioredis'
import { SANDBOX_TOKEN } from '../sandbox/github-standin.js'
import { percentile, type Percentiles } from './agents/report.js'
import { WEBHOOK_DELAY, serverEnv } from './config.js'
import { closeSession, inBatches, mcpHeaders, openSession, post } from './mcp-http.js'
import type { Child } from './procs.js'
import type { Start, Stop } from './agents/phase.js'

export const REDIS_URL = 'redis://127.0.0.1:6379'
export const DELAY_ISSUE = { owner: 'octo-org', repo: 'widgets', number: 1 }
const URI = `issue://${DELAY_ISSUE.owner}/${DELAY_ISSUE.repo}/${DELAY_ISSUE.number}`
/** A notification later than this is counted as missed (and the target, 1 s, as not met). */
const GIVE_UP_MS = 5000

export interface WebhookDelayResult {
  subscribers: number
  deliveries: number
  /** Notifications that arrived in time: subscribers × deliveries when none was missed. */
  notified: number
  missed: number
  delay: Percentiles & { max: number }
}

/** A client on `url`: a session subscribed to URI, its GET stream open; `arrivals` get each notification's time. */
async function subscriber (url: string, onUpdate: () => void): Promise<{ session: string, stop: () => void }> {
  const session = await openSession(url)
  const sub = await post(url, { jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri: URI } }, session)
  if (sub.status !== 200 || !sub.messages.some((m) => 'result' in m)) throw new Error(`resources/subscribe at ${url}: ${JSON.stringify(sub.messages).slice(0, 200)}`)
  const controller = new AbortController()
  const res = await fetch(`${url}/mcp`, { headers: { ...mcpHeaders(session), accept: 'text/event-stream' }, signal: controller.signal })
  if (res.status !== 200 || res.body === null) throw new Error(`GET /mcp at ${url} answered ${res.status}`)
  void (async () => {
    let buffered = ''
    const decoder = new TextDecoder()
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true })
        const events = buffered.split(/\r?\n\r?\n/)
        buffered = events.pop() ?? ''
        for (const event of events) if (event.includes('notifications/resources/updated')) onUpdate()
      }
    } catch { /* aborted at the end */ }
  })()
  return { session, stop: () => controller.abort() }
}

/** An `issues` edited delivery as GitHub sends it, around the stand-in's own issue, repository and user. */
async function deliveryBody (githubUrl: string): Promise<(n: number) => string> {
  const get = async (path: string) => {
    const res = await fetch(`${githubUrl}${path}`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
    if (res.status !== 200) throw new Error(`stand-in GET ${path}: ${res.status}`)
    return await res.json() as Record<string, unknown>
  }
  const { owner, repo, number } = DELAY_ISSUE
  const [issue, repository, sender] = await Promise.all([get(`/repos/${owner}/${repo}/issues/${number}`), get(`/repos/${owner}/${repo}`), get('/user')])
  return (n) => JSON.stringify({ action: 'edited', issue: { ...issue, body: `Edit ${n}` }, changes: { body: { from: String(issue.body ?? '') } }, repository, sender })
}

async function deliver (url: string, secret: string, body: string): Promise<void> {
  const res = await fetch(`${url}/webhooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign(secret, body) },
    body
  })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`replica B answered a delivery with ${res.status}`)
}

/** The delays of one delivery: every subscriber's first notification after the POST, or a miss. */
async function oneDelivery (clients: Array<{ got?: number }>, send: () => Promise<void>): Promise<{ delays: number[], missed: number }> {
  for (const c of clients) c.got = undefined
  const started = performance.now()
  await send()
  const deadline = started + GIVE_UP_MS
  while (clients.some((c) => c.got === undefined) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1))
  const delays = clients.flatMap((c) => (c.got === undefined ? [] : [c.got - started]))
  return { delays, missed: clients.length - delays.length }
}

async function forgetPrefix (prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) if ((keys as string[]).length > 0) await redis.del(...(keys as string[]))
  } finally {
    redis.disconnect()
  }
}

export async function webhookDelay (start: Start, stop: Stop): Promise<WebhookDelayResult> {
  const { subscribers, deliveries, warmup } = WEBHOOK_DELAY
  const github = await start('github-standin', 'bench/children/standin.ts', {})
  const secret = randomBytes(32).toString('hex')
  const prefix = `bench-wh-${randomBytes(6).toString('hex')}:`
  const env = { ...serverEnv(github.url, false), GITHUB_WEBHOOK_SECRET: secret, REDIS_URL, WEBHOOK_REDIS_PREFIX: prefix }
  const replicas: Child[] = []
  try {
    const a = await start('gateway A', 'bench/children/gateway.ts', env)
    replicas.push(a)
    const b = await start('gateway B', 'bench/children/gateway.ts', env)
    replicas.push(b)
    const clients = Array.from({ length: subscribers }, (): { got?: number, session?: string, stop?: () => void } => ({}))
    await inBatches(clients, 10, async (c) => {
      Object.assign(c, await subscriber(a.url, () => { c.got ??= performance.now() }))
    })
    const body = await deliveryBody(github.url)
    for (let n = 0; n < warmup; n++) await oneDelivery(clients, () => deliver(b.url, secret, body(n)))
    const delays: number[] = []
    let missed = 0
    for (let n = 0; n < deliveries; n++) {
      const one = await oneDelivery(clients, () => deliver(b.url, secret, body(warmup + n)))
      delays.push(...one.delays)
      missed += one.missed
    }
    for (const c of clients) c.stop?.()
    await inBatches(clients, 10, (c) => closeSession(a.url, c.session!))
    const result = {
      subscribers, deliveries, notified: delays.length, missed,
      delay: { p50: percentile(delays, 50), p99: percentile(delays, 99), max: percentile(delays, 100) }
    }
    process.stderr.write(`webhook_delay        ${subscribers} subscribers on A, ${deliveries} deliveries to B: p50 ${result.delay.p50.toFixed(1)} ms, p99 ${result.delay.p99.toFixed(1)} ms, max ${result.delay.max.toFixed(1)} ms, missed ${missed}\n`)
    return result
  } finally {
    await stop(...replicas, github)
    await forgetPrefix(prefix)
  }
}
