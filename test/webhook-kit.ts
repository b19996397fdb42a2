import { randomBytes, randomUUID } from 'node:crypto'
import { sign } from '@octokit/webhooks-methods'
import type { FastifyInstance } from 'fastify'

// Signed deliveries for the webhook tests, shaped as GitHub sends them.
export const WEBHOOK_SECRET = 'whsec-test-0123456789abcdef'

export interface DeliveryOptions {
  event: string
  payload: unknown
  id?: string
  secret?: string
  /** Sent instead of the right signature (null: no signature header). */
  signature?: string | null
  contentType?: string
}

export async function deliveryHeaders (body: string, o: DeliveryOptions): Promise<Record<string, string>> {
  const signature = o.signature === undefined ? await sign(o.secret ?? WEBHOOK_SECRET, body) : o.signature
  return {
    'content-type': o.contentType ?? 'application/json',
    'x-github-event': o.event,
    'x-github-delivery': o.id ?? randomUUID(),
    ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
  }
}

/** POSTs a delivery through inject. */
export async function deliver (app: FastifyInstance, o: DeliveryOptions) {
  const body = typeof o.payload === 'string' ? o.payload : JSON.stringify(o.payload)
  return app.inject({ method: 'POST', url: '/webhooks/github', headers: await deliveryHeaders(body, o), payload: body })
}

export const repository = (fullName = 'octo-org/widgets') => ({ id: 1, name: fullName.split('/')[1], full_name: fullName, owner: { login: fullName.split('/')[0] } })

export const issuesPayload = (action: string, number: number, fullName = 'octo-org/widgets') =>
  ({ action, issue: { number, title: 'x', state: 'open' }, repository: repository(fullName), sender: { login: 'octocat' } })

export const pingPayload = (fullName = 'octo-org/widgets', events = ['issues', 'issue_comment', 'label']) =>
  ({ zen: 'Design for failure.', hook_id: 1, hook: { type: 'Repository', id: 1, events, active: true }, repository: repository(fullName), sender: { login: 'octocat' } })

/** A Redis prefix no other test run shares. */
export const freshPrefix = () => `test-wh-${randomBytes(6).toString('hex')}:`
