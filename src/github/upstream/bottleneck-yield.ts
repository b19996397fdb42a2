// The only touches of Bottleneck's internals: two zero delays. Bottleneck, under
// @octokit/plugin-retry and plugin-throttling, yields to the event loop between the steps of every
// job with setTimeout(0), which Node clamps to 1 ms, and runs the submit and register steps of its
// jobs one at a time. So every shared limiter a request passes through caps the whole process at a
// few hundred upstream requests a second, however idle the CPU (bench/PROFILE.md has the
// measurement). A zero yield
// here resolves on the microtask queue instead: every step still runs asynchronously and in the
// same order (a step never runs inside the call that scheduled it), which is all the in-process
// store needs; nothing in it polls, so no step can starve the event loop. A step a limiter runs
// per event-loop turn (setImmediate) still held each shared limiter to one job per turn.
// Then a job that may start at once is started, again, after setTimeout(job, 0) (`_run`): a
// millisecond or more per limiter, and a request passes three (the throttling plugin's group and
// retry limiter, plugin-retry's own), before anything is sent to GitHub. It starts on the
// microtask queue instead; a job with a real wait (a retry's backoff) or an expiration keeps its
// timers, which stop() clears. A job started this way has already begun when a stop() that came
// after it runs, as one whose timer had fired would have.
// test/github/upstream/bottleneck-yield.test.ts fails if an upgrade moves what this patches.
import Bottleneck from 'bottleneck/light.js'

interface Datastore { yieldLoop (t?: number): Promise<void>, Promise: PromiseConstructor }

interface Job { options: { expiration?: number | null }, doRun (): void, doExecute (...args: unknown[]): unknown }
interface Scheduled { timeout: unknown, expiration: unknown, job: Job }
interface Internals {
  _run (index: string, job: Job, wait: number): Scheduled
  _scheduled: Record<string, Scheduled>
  _limiter: unknown
  _clearGlobalState (index: string): unknown
  _free (index: string, job: Job): unknown
}

let timedRun: Internals['_run'] | undefined

/** Bottleneck's own `_run`, which starts a job after `wait` ms; checked before it is replaced. */
export function runStep (): Internals['_run'] {
  if (timedRun !== undefined) return timedRun
  const run = (Bottleneck.prototype as unknown as Partial<Internals>)._run
  const source = typeof run === 'function' ? String(run) : ''
  if (!/setTimeout\(/.test(source) || !source.includes('doExecute') || !source.includes('_scheduled')) {
    throw new Error('bottleneck: Bottleneck.prototype._run not as expected; revisit src/github/upstream/bottleneck-yield.ts')
  }
  return run as Internals['_run']
}

/** The prototype of the in-process datastore every light-build limiter uses. */
export function localDatastore (): Datastore {
  const probe = new Bottleneck() as unknown as { _store?: object }
  const proto = probe._store === undefined ? undefined : Object.getPrototypeOf(probe._store) as Partial<Datastore>
  if (typeof proto?.yieldLoop !== 'function') throw new Error('bottleneck: LocalDatastore.yieldLoop not found; revisit src/github/upstream/bottleneck-yield.ts')
  return proto as Datastore
}

let patched = false
export function yieldWithoutClamp (): void {
  if (patched) return
  patched = true
  const proto = localDatastore()
  const timed = proto.yieldLoop
  proto.yieldLoop = function (this: Datastore, t = 0) {
    return t > 0 ? timed.call(this, t) : this.Promise.resolve()
  }
  const ownRun = (timedRun = runStep())
  ;(Bottleneck.prototype as unknown as Internals)._run = function (this: Internals, index, job, wait) {
    if (wait > 0 || job.options.expiration != null) return ownRun.call(this, index, job, wait)
    job.doRun()
    const clearGlobalState = this._clearGlobalState.bind(this, index)
    const run = this._run.bind(this, index, job)
    const free = this._free.bind(this, index, job)
    const scheduled: Scheduled = { timeout: undefined, expiration: undefined, job }
    queueMicrotask(() => { void job.doExecute(this._limiter, clearGlobalState, run, free) })
    return (this._scheduled[index] = scheduled)
  }
}
