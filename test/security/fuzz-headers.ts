// Header mutations for the fuzz test, and the refusals the server owes the final headers
// ('bad-auth', 'bad-origin', 'bad-host', 'cross-session'): such a request must never get a 2xx,
// whatever else is wrong with it.
import type { Rng } from './fuzz-rng.js'
import { KEY_A, KEY_B } from '../helper.js'

export const KEYS = [KEY_A, KEY_B] as const
export type Refusal = 'bad-auth' | 'bad-origin' | 'bad-host' | 'cross-session'
export const ALLOWED_ORIGIN = 'https://app.example'
/** Replaced at send time by the server's own origin (same-origin requests are allowed). */
export const SELF = '{self}'

/** Which anchor session a request uses; resolved to an id when it is sent. */
export interface SessionRef { key: 0 | 1, slot: number, variant: 'own' | 'other' | 'upper' | 'padded' | 'suffixed' }

export interface Draft {
  headers: Array<[string, string]>
  session?: SessionRef
}

/** Valid-key requests come from addresses that never fail auth, so the brute-force limiter
 * (per address, TRUST_PROXY on) never blocks them; failing ones from a small pool, so it does. */
export const goodAddress = (rng: Rng) => `10.1.${rng.int(0, 255)}.${rng.int(1, 254)}`
const badAddress = (rng: Rng) => rng.chance(0.8)
  ? `10.2.0.${rng.int(1, 16)}`
  : rng.pick(['not-an-ip', '::ffff:10.2.0.1', 'fe80::1%eth0', '2001:db8::1', '1.2.3.4, 5.6.7.8', '999.1.1.1', rng.headerText(60)])

export function validDraft (rng: Rng, key: 0 | 1, withSession = true): Draft {
  const draft: Draft = {
    headers: [
      ['content-type', 'application/json'], ['accept', 'application/json, text/event-stream'],
      ['x-api-key', KEYS[key]], ['mcp-protocol-version', rng.pick(['2025-11-25', '2025-06-18'])], ['x-forwarded-for', goodAddress(rng)]
    ]
  }
  if (withSession) draft.session = { key, slot: rng.int(0, 1), variant: 'own' }
  return draft
}

export function setHeader (draft: Draft, name: string, value: string | undefined): void {
  draft.headers = draft.headers.filter(([n]) => n !== name)
  if (value !== undefined) draft.headers.push([name, value])
}

const CONTENT_TYPES = [
  undefined, 'text/plain', 'application/json; charset=utf-8', 'application/JSON', 'application/json-patch+json',
  'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '*/*', 'application/json;;;', 'application/json, text/plain',
  'application/json; charset=utf-16', 'application', ''
]
const ACCEPTS = [
  undefined, 'application/json', 'text/event-stream', '*/*', 'application/*, text/*', 'text/html', '',
  'application/json;q=0, text/event-stream;q=0', 'APPLICATION/JSON, TEXT/EVENT-STREAM', Array(1000).fill('a/b').join(', ')
]
const VERSIONS = [undefined, '2025-03-26', '2024-11-05', '2099-01-01', '', 'x'.repeat(5000), '2025-06-18, 2025-11-25', ' 2025-11-25']

type HeaderMutation = (rng: Rng, d: Draft) => void

const MUTATIONS: Array<[string, HeaderMutation]> = [
  ['content-type', (rng, d) => setHeader(d, 'content-type', rng.chance(0.2) ? rng.headerText(200) : rng.pick(CONTENT_TYPES))],
  ['accept', (rng, d) => setHeader(d, 'accept', rng.chance(0.2) ? rng.headerText(200) : rng.pick(ACCEPTS))],
  ['protocol-version', (rng, d) => setHeader(d, 'mcp-protocol-version', rng.chance(0.2) ? rng.headerText(100) : rng.pick(VERSIONS))],
  ['session-id', (rng, d) => {
    const key = d.session?.key ?? 0
    const choice = rng.pick(['none', 'empty', 'garbage', 'long', 'other', 'upper', 'padded', 'suffixed'] as const)
    d.session = undefined
    if (choice === 'none') return setHeader(d, 'mcp-session-id', undefined)
    if (choice === 'empty') return setHeader(d, 'mcp-session-id', '')
    if (choice === 'garbage') return setHeader(d, 'mcp-session-id', rng.headerText(64))
    if (choice === 'long') return setHeader(d, 'mcp-session-id', 'f'.repeat(rng.pick([100, 4000, 12_000])))
    d.session = { key, slot: rng.int(0, 1), variant: choice === 'other' ? 'other' : choice }
  }],
  ['auth', (rng, d) => {
    const choice = rng.pick(['none', 'wrong', 'long', 'bearer', 'bearer-bad', 'basic', 'conflict', 'case'] as const)
    const valid = d.headers.find(([n]) => n === 'x-api-key')?.[1] ?? KEY_A
    setHeader(d, 'x-api-key', undefined)
    if (choice === 'bearer') return setHeader(d, 'authorization', `Bearer ${valid}`)
    if (choice === 'none') setHeader(d, 'authorization', undefined)
    if (choice === 'wrong') setHeader(d, 'x-api-key', rng.headerText(40) || 'x')
    if (choice === 'long') setHeader(d, 'x-api-key', 'k'.repeat(rng.pick([1000, 12_000])))
    if (choice === 'bearer-bad') setHeader(d, 'authorization', rng.pick(['Bearer', 'Bearer ', `Bearer  ${valid} x`, `Bearer\t${valid}`, `Token ${valid}`]))
    if (choice === 'basic') setHeader(d, 'authorization', `Basic ${Buffer.from(`user:${valid}`).toString('base64')}`)
    if (choice === 'conflict') { setHeader(d, 'x-api-key', `${valid}x`); setHeader(d, 'authorization', `Bearer ${valid}`) }
    if (choice === 'case') setHeader(d, 'x-api-key', valid.toUpperCase())
  }],
  ['origin', (rng, d) => {
    const choice = rng.pick(['allowed', 'allowed-variant', 'self', 'evil', 'null', 'garbage', 'long', 'file'] as const)
    const value = { allowed: ALLOWED_ORIGIN, 'allowed-variant': 'HTTPS://APP.EXAMPLE/', self: SELF, evil: 'https://evil.example', null: 'null', garbage: rng.headerText(50), long: `https://${'a'.repeat(9000)}.example`, file: 'file://' }[choice]
    setHeader(d, 'origin', value)
  }],
  ['host', (rng, d) => {
    const choice = rng.pick(['localhost', 'localhost.', 'LOCALHOST:1', '[::1]:9', 'evil.example', 'localhost.evil.example', '127.0.0.2', '', 'long'] as const)
    setHeader(d, 'host', choice === 'long' ? 'h'.repeat(5000) : choice)
  }],
  ['forwarded-host', (rng, d) => {
    setHeader(d, 'x-forwarded-host', rng.pick(['evil.example', 'localhost', '127.0.0.1, evil.example', 'evil.example, localhost', rng.headerText(30)]))
  }],
  ['duplicate', (rng, d) => {
    const [name, value] = rng.pick(d.headers)
    d.headers.push([name, rng.chance(0.5) ? value : rng.headerText(30)])
  }],
  ['forwarded-for', (rng, d) => setHeader(d, 'x-forwarded-for', badAddress(rng))]
]

/** Applies 1–3 header mutations; returns their names. Failing auth moves to the bad address pool. */
export function mutateHeaders (rng: Rng, d: Draft): string[] {
  const names: string[] = []
  for (let i = rng.int(1, 3); i > 0; i--) {
    const [name, apply] = rng.pick(MUTATIONS)
    apply(rng, d)
    names.push(name)
  }
  if (refusalsOf(d).includes('bad-auth')) setHeader(d, 'x-forwarded-for', badAddress(rng))
  return names
}

// The contract's rules, written out independently of the gateway's code: what the server must refuse.
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])
const values = (d: Draft, name: string) => d.headers.filter(([n]) => n === name).map(([, v]) => v)

function hostName (value: string): string {
  const host = value.trim().toLowerCase()
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]
  return name.replace(/\.$/, '')
}

export function refusalsOf (d: Draft): Refusal[] {
  const out: Refusal[] = []
  // Node joins repeated X-API-Key headers with ", " and keeps only the first Authorization.
  const apiKeys = values(d, 'x-api-key').filter((v) => v.trim() !== '')
  const bearer = /^Bearer +(\S+)$/i.exec(values(d, 'authorization')[0] ?? '')?.[1]
  const presented = apiKeys.length > 0 ? apiKeys.join(', ').trim() : bearer
  if (presented === undefined || !(KEYS as readonly string[]).includes(presented)) out.push('bad-auth')
  // TRUST_PROXY is on: X-Forwarded-Host (its last entry) is the host checked when present.
  const forwarded = values(d, 'x-forwarded-host').join(', ')
  const host = forwarded.trim() !== '' ? forwarded.slice(forwarded.lastIndexOf(',') + 1) : values(d, 'host')[0]
  if (host !== undefined && !LOOPBACK.has(hostName(host))) out.push('bad-host')
  const origins = values(d, 'origin')
  if (origins.length > 0) {
    const origin = origins.join(', ').trim().toLowerCase().replace(/\/+$/, '')
    const self = origins.length === 1 && origins[0] === SELF && host === undefined
    if (origin !== ALLOWED_ORIGIN && !self) out.push('bad-origin')
  }
  if (d.session?.variant === 'other') out.push('cross-session')
  return out
}
