// Identical read-only tool calls in flight share one run. A burst of agents reading the same
// thing (a triage run, a popular issue) then costs one run: one upstream request, one
// formatting, one serialised answer, where each caller would otherwise repeat all of it for the
// same result. Only what was already in flight is shared (nothing is remembered after it lands),
// only between callers with the same key (their access, hence their view, is the same), and only
// for calls that asked for no progress: progress goes to one caller's stream. A write ending
// (any tool not marked read-only) unregisters every run in flight, so a read issued after a
// write never joins one that started before it (those already waiting keep theirs). Log notifications
// a shared run sends reach every caller still waiting. The run carries its own signal: one caller
// leaving does not cancel it for the others, and it is cancelled when the last one leaves.
import type { LoggingLevel } from '@modelcontextprotocol/server'
import type { ToolContext } from './catalog-types.js'

interface Flight<T> {
  done: Promise<T>
  callers: Set<ToolContext>
  controller: AbortController
}

export interface SharedCallStats { shared: number }

/** The rejection of a caller that left, whatever reason its signal carries. */
function leftError (signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError')
}

export class SharedCalls {
  private readonly flights = new Map<string, Flight<unknown>>()
  private forgotten = 0
  readonly stats: SharedCallStats = { shared: 0 }

  /** How many times forgetInFlight() has run: sharing one level up (modern-calls.ts) keys its runs by it. */
  get epoch (): number { return this.forgotten }

  /** Runs `run` for `key`, or joins the run of that key already in flight. */
  async run<T> (key: string, ctx: ToolContext, run: (shared: ToolContext) => Promise<T>): Promise<T> {
    if (ctx.signal?.aborted) throw leftError(ctx.signal)
    let flight = this.flights.get(key) as Flight<T> | undefined
    if (flight === undefined) flight = this.start(key, ctx, run)
    else this.stats.shared++
    const joined = flight
    joined.callers.add(ctx)
    const signal = ctx.signal
    return await new Promise<T>((resolve, reject) => {
      const onAbort = () => { this.leave(key, joined, ctx); reject(leftError(signal!)) }
      signal?.addEventListener('abort', onAbort, { once: true })
      const settle = () => { signal?.removeEventListener('abort', onAbort); joined.callers.delete(ctx) }
      joined.done.then((value) => { settle(); resolve(value) }, (error: unknown) => { settle(); reject(error) })
    })
  }

  /** A run for `key` is in flight (a call made now would join it). */
  inFlight (key: string): boolean {
    return this.flights.has(key)
  }

  /** After a write: calls from now on start their own runs; runs in flight finish for their callers. */
  forgetInFlight (): void {
    this.forgotten++
    this.flights.clear()
  }

  private start<T> (key: string, first: ToolContext, run: (shared: ToolContext) => Promise<T>): Flight<T> {
    const controller = new AbortController()
    const callers = new Set<ToolContext>()
    const shared: ToolContext = {
      access: first.access,
      signal: controller.signal,
      progress: async () => {}, // shared only when no caller asked for progress
      log: async (level: LoggingLevel, message: string) => {
        await Promise.all([...callers].map((c) => c.log(level, message)))
      },
    }
    // Started on the next microtask, so the flight is registered before the run's first await.
    const done = Promise.resolve().then(() => run(shared))
    const flight: Flight<T> = { done, callers, controller }
    this.flights.set(key, flight)
    const land = () => { if (this.flights.get(key) === flight) this.flights.delete(key) }
    done.then(land, land)
    return flight
  }

  private leave (key: string, flight: Flight<unknown>, ctx: ToolContext): void {
    flight.callers.delete(ctx)
    if (flight.callers.size > 0) return
    if (this.flights.get(key) === flight) this.flights.delete(key)
    flight.controller.abort()
  }
}
