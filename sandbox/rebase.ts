// The seed is dated around a fixed base day so tests see identical payloads run after run. The
// demo wants "this week" to mean this week (weekly-summary), so it shifts every timestamp.
import { SEED_BASE_DATE } from './seed-kit.js'
import type { SeedData } from './types.js'

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/** A copy of `seed` with every `*_at` timestamp moved so that SEED_BASE_DATE becomes `now`. */
export function rebaseSeed (seed: SeedData, now: Date): SeedData {
  const delta = now.getTime() - Date.parse(SEED_BASE_DATE)
  const shift = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(shift)
    if (value === null || typeof value !== 'object') return value
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = k.endsWith('_at') && typeof v === 'string' && TIMESTAMP.test(v)
        ? new Date(Date.parse(v) + delta).toISOString().replace(/\.\d{3}Z$/, 'Z')
        : shift(v)
    }
    return out
  }
  return shift(seed) as SeedData
}
