// The one touch of Bottleneck's internals. Bottleneck, under @octokit/plugin-retry and
// plugin-throttling, yields to the event loop between the steps of every job with setTimeout(0),
// which Node clamps to 1 ms, and runs the submit and register steps of its jobs one at a time. So
// every shared limiter a request passes through caps the whole process at a few hundred upstream
// requests a second, however idle the CPU (bench/PROFILE.md has the measurement). A zero yield
// here resolves on the microtask queue instead: every step still runs asynchronously and in the
// same order (a step never runs inside the call that scheduled it), which is all the in-process
// store needs; nothing in it polls, so no step can starve the event loop. A step a limiter runs
// per event-loop turn (setImmediate) still held each shared limiter to one job per turn.
// test/github/upstream/bottleneck-yield.test.ts fails if an upgrade moves what this patches.
import Bottleneck from 'bottleneck/light.js'

interface Datastore { yieldLoop (t?: number): Promise<void>, Promise: PromiseConstructor }

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
}
