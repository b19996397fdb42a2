// `tsx bench/profile.ts <file.cpuprofile> [top]`: where a server spent its CPU during a bench run
// (BENCH_CPU_PROF=1 writes the profiles). Prints self time by package/file and by function, and
// inclusive time for the functions that matter most, so a hot path can be named without DevTools.
import { readFile } from 'node:fs/promises'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

/** node_modules package, project file, or node internal: the unit a fix is made in. */
export function moduleOf (url: string): string {
  if (url === '') return '(native / VM)'
  const nm = url.lastIndexOf('/node_modules/')
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return url
  const project = url.match(/\/(src|plugins|bench)\/.*$/)
  return project ? project[0].slice(1) : url
}

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}:${f.lineNumber + 1}`

export function summarize (profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))

  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const idle = [...self].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName))
    .reduce((a, [, t]) => a + t, 0)
  const bySelfModule = new Map<string, number>()
  const bySelfFn = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (const [id, t] of self) {
    const frame = byId.get(id)!.callFrame
    bySelfModule.set(moduleOf(frame.url), (bySelfModule.get(moduleOf(frame.url)) ?? 0) + t)
    bySelfFn.set(label(frame), (bySelfFn.get(label(frame)) ?? 0) + t)
    const seen = new Set<string>() // a recursive function counts once per sample
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const l = label(byId.get(n)!.callFrame)
      if (!seen.has(l)) { seen.add(l); inclusive.set(l, (inclusive.get(l) ?? 0) + t) }
    }
  }
  return { total, idle, bySelfModule, bySelfFn, inclusive }
}

function top (map: Map<string, number>, busy: number, n: number, filter: (k: string) => boolean = () => true): string {
  return [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, t]) => `${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`).join('\n')
}

async function main (): Promise<void> {
  const [file, count] = process.argv.slice(2)
  if (!file) throw new Error('usage: tsx bench/profile.ts <file.cpuprofile> [top]')
  const n = Number(count ?? 25)
  const s = summarize(JSON.parse(await readFile(file, 'utf8')) as CpuProfile)
  const busy = s.total - s.idle
  process.stdout.write(`${file}\nsampled ${(s.total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages are of busy time)\n\n`)
  process.stdout.write(`self time by package / file\n${top(s.bySelfModule, busy, n)}\n\n`)
  process.stdout.write(`self time by function\n${top(s.bySelfFn, busy, n)}\n\n`)
  const project = (k: string) => /\s(src|plugins)\//.test(k) || /@modelcontextprotocol|@octokit|fastify|undici|express|@hono/.test(k)
  process.stdout.write(`inclusive time, project and framework functions\n${top(s.inclusive, busy, n, project)}\n`)
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main()
