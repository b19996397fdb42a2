// What plugin-retry may repeat, and what counts as an answer. Innermost of Octokit's hooks, so
// plugin-retry and the throttling plugin see its verdicts. plugin-retry repeats any failure that
// lacks a final status; some failures are final here although they carry none, because asking
// again would not change them: a timeout (the request already spent its whole time budget), an
// answer too large to hold, a success that is not JSON (a proxy's or maintenance HTML page, a
// truncated body), and a call held until GitHub's quota resets. Creating issues and comments is never repeated: a repeat after a lost
// answer would post twice. Adding labels is idempotent and may be repeated.
import type { Octokit } from '@octokit/core'
import { timeoutIn, UpstreamTooLargeError } from './pool.js'
import { QuotaHeldError } from './quota-hold.js'
import { successData } from './octokit-response.js'

const SAFE_POST = /\/labels$/

/** A 2xx from a JSON endpoint whose body is not JSON. */
export class UpstreamNotJsonError extends Error {
  constructor (readonly status: number, readonly contentType: string, readonly method = 'GET') {
    super(`GitHub answered ${status} with a body that is not JSON (${contentType || 'no content type'})`)
    this.name = 'UpstreamNotJsonError'
  }
}

/** A request that spent its whole time budget; `method` tells whether a change may have landed. */
export class UpstreamTimeoutError extends Error {
  constructor (readonly method: string, cause: Error) {
    super(`GitHub did not answer a ${method} in time`, { cause })
    this.name = 'UpstreamTimeoutError'
  }
}

/** The failure itself when it is final, else undefined. */
function finalFailure (error: unknown, method: string): Error | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof UpstreamTooLargeError || e instanceof UpstreamNotJsonError || e instanceof QuotaHeldError) return e
  }
  const timeout = timeoutIn(error)
  return timeout === undefined ? undefined : new UpstreamTimeoutError(method, timeout)
}

const isParsedJson = (data: unknown): boolean => typeof data === 'object' && data !== null && !(data instanceof ArrayBuffer)

export function requestPolicy (octokit: Octokit): void {
  octokit.hook.before('request', (options) => {
    if (options.method === 'POST' && !SAFE_POST.test(options.url)) options.request.retries = 0
  })
  octokit.hook.after('request', (response, options) => {
    // The client turns Octokit's own parsing of successes off (octokit-response.ts says why).
    response.data = successData(response.data, response.headers['content-type'])
    const wantsJson = /json/i.test(String(options.headers.accept ?? ''))
    if (wantsJson && response.status !== 204 && response.status !== 205 && !isParsedJson(response.data)) {
      throw new UpstreamNotJsonError(response.status, String(response.headers['content-type'] ?? ''), options.method)
    }
  })
  octokit.hook.error('request', (error, options) => { throw finalFailure(error, options.method) ?? error })
}
