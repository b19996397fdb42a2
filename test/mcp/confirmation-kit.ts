// What the confirmation tests share (confirmation-legacy.test.ts, confirmation-modern.test.ts): replicas of the
// app on one GitHub stand-in, sharing a REQUEST_STATE_KEY unless told otherwise, and the writes that stand-in saw.
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { GitHubStandin } from '../../sandbox/github-standin.js'
import { testEnv } from '../helper.js'

export const KEY = Buffer.alloc(32, 7).toString('base64')
export const OTHER_KEY = Buffer.alloc(32, 9).toString('base64')
/** An open issue in the sandbox. */
export const CLOSE = { owner: 'octo-org', repo: 'widgets', issue_number: 3, state: 'closed' }
export const QUESTION = 'Close issue octo-org/widgets#3?'
export const PATCHED = ['PATCH /repos/octo-org/widgets/issues/3']

export type Answer = { action: 'accept', content: { confirm: boolean } } | { action: 'decline' } | { action: 'cancel' }
export const ACCEPT: Answer = { action: 'accept', content: { confirm: true } }

export interface Replica { app: FastifyInstance, url: URL }

export async function replica (t: Test, github: GitHubStandin, env: Record<string, string> = {}): Promise<Replica> {
  const app = await buildApp({ env: testEnv(github, { REQUEST_STATE_KEY: KEY, ...env }) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return { app, url: new URL(`http://127.0.0.1:${port}/mcp`) }
}

/** The GitHub writes the stand-in saw, as "METHOD path". */
export const writes = (github: GitHubStandin) =>
  github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.split('?')[0]}`)

export const text = (result: unknown) => (result as { content: Array<{ text: string }> }).content[0].text
