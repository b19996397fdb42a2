// The budgets' windows slide, as GitHub counts: a slot comes back one window (plus the margin)
// after the request that spent it went out, never at a window boundary. Driven on a hand-turned
// clock, so no test waits for a window to pass.
import t, { type Test } from 'tap'
import { createBudgets, GITHUB_BUDGETS, type BudgetClock, type BudgetLimits } from '../../../src/github/upstream/budgets.js'
import { BudgetExhaustedError } from '../../../src/github/upstream/budget-errors.js'

class HandClock implements BudgetClock {
  private at = 0
  private timers: Array<{ at: number, fn: () => void, id: number }> = []
  private next = 0
  now = (): number => this.at
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.next
    this.timers.push({ at: this.at + ms, fn, id })
    return id
  }

  clearTimeout = (id: unknown): void => { this.timers = this.timers.filter((x) => x.id !== id) }
  pending (): number { return this.timers.length }
  /** Moves the clock on by `ms`, firing what falls due, in order. */
  advance (ms: number): void {
    this.at += ms
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.at).sort((a, b) => a.at - b.at)[0]
      if (due === undefined) return
      this.timers = this.timers.filter((x) => x !== due)
      due.fn()
    }
  }
}

/** Jobs still waiting are refused when the budgets close: that is not this file's concern. */
function quiet<T> (p: Promise<T>): Promise<T> {
  p.catch(() => {})
  return p
}

/** Bottleneck hands jobs on asynchronously: let it. */
const settle = async () => { for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 2)) }

function setUp (t: Test, windows: Partial<BudgetLimits>) {
  const clock = new HandClock()
  const budgets = createBudgets({ ...GITHUB_BUDGETS, marginMs: 0, ...windows }, clock)
  let closed: Promise<void> | undefined
  const close = () => (closed ??= budgets.close())
  t.teardown(close)
  const search = budgets.groups.search.key('gateway')
  const sent: string[] = []
  const send = (name: string, weight = 1) => quiet(search.schedule({ weight, priority: weight === 0 ? 0 : 5 }, async () => { sent.push(name) }))
  return { clock, budgets, sent, send, close }
}

t.test('a slot comes back one window after its request, not at a window boundary', async (t) => {
  const { clock, sent, send } = setUp(t, { search: [{ limit: 2, ms: 1000 }] })
  void send('a')
  await settle()
  clock.advance(500)
  void send('b')
  void send('c')
  void send('d')
  await settle()
  t.same(sent, ['a', 'b'], 'two within the window; c and d wait')
  clock.advance(500) // a's slot is back; a window refilled whole here would let c and d both go
  await settle()
  t.same(sent, ['a', 'b', 'c'], "only a's slot came back")
  clock.advance(499)
  await settle()
  t.same(sent, ['a', 'b', 'c'], "b's slot is not back a millisecond early")
  clock.advance(1)
  await settle()
  t.same(sent, ['a', 'b', 'c', 'd'])
})

t.test('the margin is added to every window', async (t) => {
  const { clock, sent, send } = setUp(t, { search: [{ limit: 1, ms: 1000 }], marginMs: 250 })
  void send('a')
  void send('b')
  await settle()
  clock.advance(1000)
  await settle()
  t.same(sent, ['a'], 'not after the window alone')
  clock.advance(250)
  await settle()
  t.same(sent, ['a', 'b'])
})

t.test("a retry (the throttling plugin's weightless job) spends no slot", async (t) => {
  const { clock, sent, send } = setUp(t, { search: [{ limit: 1, ms: 1000 }] })
  void send('a')
  await settle()
  void send('retry of a', 0)
  void send('b')
  await settle()
  t.same(sent, ['a', 'retry of a'], 'the retry went; b waits for the one slot')
  t.equal(clock.pending(), 1, 'one slot to come back, not two')
  clock.advance(1000)
  await settle()
  t.same(sent, ['a', 'retry of a', 'b'])
})

t.test('a full queue is refused with the wait until its turn', async (t) => {
  const { clock, budgets, send } = setUp(t, { search: [{ limit: 2, ms: 60_000 }] })
  void send('a')
  await settle()
  clock.advance(20_000)
  void send('b')
  await settle()
  void send('c') // a's slot, at 60 s
  void send('d') // b's, at 80 s
  clock.advance(10_000) // now 30 s
  const dropped = await send('e').then(() => null, (e: unknown) => e)
  await settle() // the refusal is attached to the dropped job's error as it settles
  const refused = budgets.translate(dropped)
  t.type(refused, BudgetExhaustedError)
  // e would take a's slot again once c has spent it: 60 + 60 s, i.e. 90 s from now.
  t.match((refused as Error).message, /^GitHub search budget exhausted \(2 a minute\): try again in about 90 s$/)
})

t.test('a write that wrote nothing gives a slot back at once and cancels one return', async (t) => {
  const clock = new HandClock()
  const budgets = createBudgets({ ...GITHUB_BUDGETS, marginMs: 0, write: [{ limit: 1, ms: 60_000 }] }, clock)
  t.teardown(() => budgets.close())
  const write = budgets.groups.write.key('gateway')
  const sent: string[] = []
  void quiet(write.schedule(async () => { sent.push('a') }))
  await settle()
  void quiet(write.schedule(async () => { sent.push('b') }))
  await settle()
  t.same(sent, ['a'])
  t.equal(clock.pending(), 1)
  const unprocessable = Object.assign(new Error('Validation Failed'), { status: 422, response: {} })
  budgets.release({ method: 'PATCH', url: '/repos/o/r/issues/1' }, unprocessable)
  await settle()
  t.same(sent, ['a', 'b'], 'the slot a spent went to b at once')
  t.equal(clock.pending(), 1, "a's return was cancelled; b's is the one left")
})

t.test('closing cancels every pending return', async (t) => {
  const { clock, send, close } = setUp(t, { search: [{ limit: 3, ms: 60_000 }] })
  void send('a')
  void send('b')
  await settle()
  t.equal(clock.pending(), 2)
  await close()
  t.equal(clock.pending(), 0)
})
