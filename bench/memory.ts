// Memory per idle session: a fresh server process, N sessions opened and left idle, full GC before
// and after (through the bench-only IPC probe), (after - before) / N for RSS and heap.
import { closeSession, inBatches, openSession } from './mcp-http.js'
import type { Child } from './procs.js'

export interface MemoryRound {
  sessions: number
  rssBefore: number
  rssAfter: number
  heapBefore: number
  heapAfter: number
  /** Bytes per idle session. */
  rssPerSession: number
  heapPerSession: number
  /** Sessions the server itself reports open afterwards (must equal `sessions`). */
  serverSessions: number
}

const OPENERS = 20 // sessions being opened at once, like the throughput scenarios' connections
const WARMUP_SESSIONS = 50

export async function measureMemory (child: Child, sessions: number): Promise<MemoryRound> {
  // Open and close a few sessions first: code that loads or compiles on first use is not
  // per-session memory.
  const warm: string[] = []
  await inBatches(Array.from({ length: WARMUP_SESSIONS }), OPENERS, async () => { warm.push(await openSession(child.url)) })
  await inBatches(warm, OPENERS, (id) => closeSession(child.url, id))

  const before = await child.memory()
  await inBatches(Array.from({ length: sessions }), OPENERS, async () => { await openSession(child.url) })
  const after = await child.memory()
  const open = after.sessions
  if (open !== sessions) throw new Error(`${child.name}: ${open} sessions open after opening ${sessions}`)
  return {
    sessions,
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    rssPerSession: (after.rss - before.rss) / sessions,
    heapPerSession: (after.heapUsed - before.heapUsed) / sessions,
    serverSessions: open
  }
}
