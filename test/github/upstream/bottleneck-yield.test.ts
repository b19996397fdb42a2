// The two touches of Bottleneck's internals stay in place: an upgrade that moves LocalDatastore's
// yieldLoop or Bottleneck's _run fails here, not as a silent slowdown.
import t from 'tap'
import Bottleneck from 'bottleneck/light.js'
import { localDatastore, runStep, yieldWithoutClamp } from '../../../src/github/upstream/bottleneck-yield.js'

t.test('the light build still yields through LocalDatastore.prototype.yieldLoop', async (t) => {
  const proto = localDatastore()
  t.type(proto.yieldLoop, 'function')
  const limiter = new Bottleneck() as unknown as { _store: object }
  t.equal(Object.getPrototypeOf(limiter._store), proto, 'every limiter shares that datastore prototype')
})

t.test('after the patch a zero yield sets no timer (a 1 ms clamp), a timed one still does, and jobs run in order', async (t) => {
  yieldWithoutClamp()
  const real = globalThis.setTimeout
  const delays: unknown[] = []
  globalThis.setTimeout = ((fn: () => void, ms?: number) => { delays.push(ms); return real(fn, ms) }) as typeof setTimeout
  try {
    await localDatastore().yieldLoop.call({ Promise } as never)
    await localDatastore().yieldLoop.call({ Promise } as never, 5)
  } finally {
    globalThis.setTimeout = real
  }
  t.same(delays, [5], 'only the timed yield used a timer')

  // Still a yield (never inside the call), but within this event-loop turn: a step that waited
  // for the next turn held each shared limiter to one job per turn.
  const order: string[] = []
  setImmediate(() => order.push('next turn'))
  const yielded = localDatastore().yieldLoop.call({ Promise } as never).then(() => order.push('yield'))
  order.push('caller')
  await yielded
  t.same(order, ['caller', 'yield'], 'after the caller, before the next turn')

  const limiter = new Bottleneck({ maxConcurrent: 1 })
  const ran: number[] = []
  await Promise.all([1, 2, 3].map((n) => limiter.schedule(async () => { ran.push(n) })))
  t.same(ran, [1, 2, 3])
})

t.test("a job that may start at once starts without a timer; one with a wait or an expiration keeps Bottleneck's", async (t) => {
  t.type(runStep(), 'function', 'Bottleneck.prototype._run is still what the patch replaces')
  yieldWithoutClamp()
  const real = globalThis.setTimeout
  const delays: unknown[] = []
  globalThis.setTimeout = ((fn: () => void, ms?: number) => { delays.push(ms); return real(fn, ms) }) as typeof setTimeout
  const limiter = new Bottleneck({ maxConcurrent: 2 })
  try {
    const ran: string[] = []
    await Promise.all(['a', 'b', 'c'].map((n) => limiter.schedule(async () => { ran.push(n) })))
    t.same(ran, ['a', 'b', 'c'], 'in order, two at a time')
    t.same(delays, [], 'no timer: each started on the microtask queue')
    await limiter.schedule({ expiration: 1000 }, async () => {})
    t.ok(delays.includes(0) && delays.includes(1000), "an expiring job keeps Bottleneck's two timers")
    delays.length = 0
    let tries = 0
    const retrying = new Bottleneck()
    retrying.on('failed', () => 5) // retry after 5 ms
    await retrying.schedule(async () => { if (++tries === 1) throw new Error('once') })
    t.equal(tries, 2)
    t.ok(delays.includes(5), "a retry's wait is still a timer")
  } finally {
    globalThis.setTimeout = real
  }
})

t.test('stop() with waiting jobs dropped still ends them, and what had started finishes', async (t) => {
  yieldWithoutClamp()
  const limiter = new Bottleneck({ maxConcurrent: 1 })
  let release: () => void = () => {}
  const started = limiter.schedule(() => new Promise<string>((resolve) => { release = () => resolve('done') }))
  const waiting = limiter.schedule(async () => 'never')
  await new Promise((resolve) => setImmediate(resolve))
  const stopped = limiter.stop({ dropWaitingJobs: true })
  release()
  t.equal(await started, 'done')
  await t.rejects(waiting, /stopped/i)
  await stopped
})
