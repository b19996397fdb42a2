import t from 'tap'
import { Redis } from 'ioredis'
import { startChild, type Child } from '../../bench/procs.js'
import type { WebhookDelayResult } from '../../bench/webhook-delay.js'

// webhook_delay end to end with small settings: two gateway processes sharing Redis, subscribers on
// A, deliveries to B; every subscriber hears every delivery and the bench's Redis keys are gone after.
process.env.BENCH_WEBHOOK_SUBSCRIBERS = '3'
process.env.BENCH_WEBHOOK_DELIVERIES = '4'
const { webhookDelay, REDIS_URL } = await import('../../bench/webhook-delay.js')
const { evaluateTargets } = await import('../../bench/report.js')
const { webhookDelayTable } = await import('../../bench/markdown.js')

t.test('a delivery posted to replica B reaches every client subscribed on replica A', async (t) => {
  const started: Child[] = []
  t.teardown(async () => { for (const c of started) await c.stop() })
  const start = async (name: string, entry: string, env: Record<string, string>) => {
    const child = await startChild(name, entry, env)
    started.push(child)
    return child
  }
  const stopped: string[] = []
  const stop = async (...list: Child[]) => { for (const c of list) { stopped.push(c.name); await c.stop() } }
  const result = await webhookDelay(start, stop)
  t.match(result, { subscribers: 3, deliveries: 4, notified: 12, missed: 0 })
  t.ok(result.delay.p50 > 0 && result.delay.p50 <= result.delay.p99 && result.delay.p99 <= result.delay.max, JSON.stringify(result.delay))
  t.same(stopped.sort(), ['gateway A', 'gateway B', 'github-standin'], 'every process it started is stopped')
  const redis = new Redis(REDIS_URL)
  t.teardown(() => redis.disconnect())
  t.same(await redis.keys('bench-wh-*'), [], 'its Redis keys (delivery ids) are removed')
})

t.test('rows and targets: p99 under a second and nothing missed', async (t) => {
  const result = (p99: number, missed = 0): WebhookDelayResult => ({ subscribers: 50, deliveries: 200, notified: 10_000 - missed, missed, delay: { p50: 12, p99, max: p99 + 5 } })
  const rows = (r: WebhookDelayResult) => evaluateTargets([], undefined, undefined, r).map((x) => x.met)
  t.same(rows(result(80)), [true, true])
  t.same(rows(result(1000)), [false, true], 'a second is too late')
  t.same(rows(result(80, 1)), [false, false], 'a missed notification fails both')
  t.same(evaluateTargets([], undefined), [], 'no rows when it did not run')
  t.match(webhookDelayTable(result(80)), /\| \*\*12\.0\*\* \| \*\*80\.0\*\* \| 85\.0 \| 10,000 \| 0 \|/)
})
