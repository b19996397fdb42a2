// Reading GitHub payloads without trusting their shape. GitHub's schema promises most fields, but
// GHES versions, proxies and future API changes do not always keep promises: every field is read
// through one of these helpers, which answer null (or an empty list) for anything missing, null or
// of the wrong type, and only values the output schemas accept (integers, RFC 3339 timestamps,
// http(s) URLs) get through. An item of a list that cannot be read at all is counted and skipped.
import { ToolError } from '../../mcp/tool-errors.js'
import { cleanLine } from './sanitize.js'

export type Fields = Readonly<Record<string, unknown>>

export function isRecord (v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** A count or an id: a non-negative safe integer, else null. */
export const count = (v: unknown): number | null => (Number.isSafeInteger(v) && (v as number) >= 0 ? v as number : null)

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/i

/** An RFC 3339 date-time as GitHub writes it (and as JSON Schema's date-time accepts), else null. */
export function timestamp (v: unknown): string | null {
  const m = typeof v === 'string' ? TIMESTAMP.exec(v) : null
  if (m === null) return null
  const [y, mo, d, h, mi, s, oh, om] = m.slice(1).map((x) => Number(x ?? 0))
  const date = new Date(Date.UTC(y, mo - 1, d))
  const valid = date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60 && oh < 24 && om < 60
  return valid ? v as string : null
}

/** A web link for people: only http(s), in its normalised (ASCII, percent-encoded) form. */
export function webUrl (v: unknown): string | null {
  if (typeof v !== 'string' || !URL.canParse(v)) return null
  const url = new URL(v)
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
}

/** `{ login }` of a user object; a user GitHub no longer knows (or sent wrongly) is null. */
export function login (v: unknown): string | null {
  const name = isRecord(v) ? cleanLine(text(v.login), 39) : ''
  return name === '' ? null : name
}

/** A list field: the array, or empty when GitHub sent none. */
export const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : [])

/** Label names from GitHub's two forms (`"bug"` or `{ name: "bug" }`), unreadable entries dropped. */
export function labelNames (v: unknown): string[] {
  return list(v).map((l) => cleanLine(typeof l === 'string' ? l : isRecord(l) ? text(l.name) : null, 50)).filter((l) => l !== '')
}

export interface ReadList<T> {
  items: T[]
  /** Entries that were not the object expected, or lacked what identifies them. */
  unreadable: number
}

/**
 * Reads every entry; one odd entry is counted and skipped, never fatal to the list. An answer that
 * is not a list at all is a clean tool error naming GitHub, not a gateway bug.
 */
export function readEach<T> (entries: unknown, read: (raw: unknown) => T | null): ReadList<T> {
  expectList(entries)
  const items: T[] = []
  for (const raw of entries) {
    const item = read(raw)
    if (item !== null) items.push(item)
  }
  return { items, unreadable: entries.length - items.length }
}

/** Narrows a GitHub list answer; anything else is a clean tool error naming GitHub. */
export function expectList (entries: unknown): asserts entries is readonly unknown[] {
  if (!Array.isArray(entries)) {
    throw new ToolError('GitHub\'s answer could not be read: a list was expected. Retry in a minute; if it persists, ' +
      'GitHub or a proxy in front of it is sending an unexpected format.')
  }
}

/** The line a list's text carries when something was skipped; empty otherwise. */
export function unreadableNote (n: number): string {
  return n === 0 ? '' : `\n${n} ${n === 1 ? 'item' : 'items'} could not be read (GitHub sent an unexpected shape) and ${n === 1 ? 'was' : 'were'} skipped.`
}
