// The one touch of Bottleneck's internals stays in place: an upgrade that moves LocalDatastore's
// yieldLoop fails here, not as a silent slowdown.
import t from 'tap'
import Bottleneck from 'bottleneck/light.js'
import { localDatastore, yieldWithoutClamp } from '../../../src/github/upstream/bottleneck-yield.js'

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
