// A start-spacing gate with the one method @octokit/plugin-throttling calls on its limiter
// groups: `group.key(id).schedule(jobOptions, fn, ...args)`. It replaces the plugin's default
// Bottleneck groups so spacing is configurable (GitHub asks for >= 1 s between writes and
// allows 30 searches a minute; tests and the demo sandbox need no spacing) and so the hot read
// path pays no scheduler cost: with spacing 0 a job runs at once.
import { setTimeout as sleep } from 'node:timers/promises'

export class Lane {
  private nextStart = 0

  constructor (
    private readonly spacingMs: number,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  key (): this {
    return this
  }

  schedule<A extends unknown[], T> (_jobOptions: unknown, fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> {
    if (this.spacingMs <= 0) return Promise.resolve(fn(...args))
    const now = Date.now()
    const startAt = Math.max(now, this.nextStart)
    this.nextStart = startAt + this.spacingMs
    return startAt === now ? Promise.resolve(fn(...args)) : this.wait(startAt - now).then(() => fn(...args))
  }
}

type FailedListener = (error: unknown, info: { args: unknown[], retryCount: number }) => unknown

/**
 * Stands in for the throttling plugin's per-client Bottleneck retry limiter: runs a job and, when
 * the plugin's 'failed' listener answers with a delay (a rate limit worth waiting for), runs it
 * again after that delay. Bottleneck's local store yields through setTimeout(0) several times per
 * job, which added ~5 ms to every upstream request; this adds nothing on success.
 */
export class RetryRunner {
  private listener: FailedListener | undefined

  on (event: string, listener: FailedListener): void {
    if (event === 'failed') this.listener = listener
  }

  async schedule<A extends unknown[], T> (fn: (...args: A) => Promise<T>, ...args: A): Promise<T> {
    for (let retryCount = 0; ; retryCount++) {
      try {
        return await fn(...args)
      } catch (error) {
        const wait = await this.listener?.(error, { args, retryCount })
        if (typeof wait !== 'number') throw error
        await sleep(wait)
      }
    }
  }
}
