// `tsx bench/cpu-ab.ts <scenario> <dirA> <dirB> [rounds]`: the gateway's CPU time per request in
// two checkouts (say, a worktree of the last commit and the working tree), alternated A B A B …
// against one GitHub stand-in. CPU time (user + system from /proc/<pid>/stat, GC threads included)
// per answered request moves far less between rounds than req/s on a shared machine, so two
// versions of one change are compared by it (bench/PROFILE.md). Linux only; each checkout needs
// its node_modules (a symlink to this one's will do).
import { readFileSync } from 'node:fs'
import { BENCH, serverEnv } from './config.js'
import { failures, fire } from './cannon.js'
import { closeSession, inBatches } from './mcp-http.js'
import { openMany } from './phases.js'
import { startChild, type Child } from './procs.js'
import { median } from './report.js'
import { SCENARIOS } from './scenarios.js'

/** utime + stime of a process, in clock ticks (100 a second on Linux). */
function cpuTicks (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

const [id, dirA, dirB, roundsArg] = process.argv.slice(2)
const scenario = SCENARIOS.find((s) => s.id === id)
if (scenario === undefined || dirA === undefined || dirB === undefined) {
  console.error(`usage: tsx bench/cpu-ab.ts <scenario> <dirA> <dirB> [rounds]; scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`)
  process.exit(2)
}
const rounds = Number(roundsArg ?? 3)
const github = await startChild('github-standin', 'bench/children/standin.ts', {})
const sides: Child[] = [
  await startChild('A', 'bench/children/gateway.ts', serverEnv(github.url, scenario.stateless), dirA),
  await startChild('B', 'bench/children/gateway.ts', serverEnv(github.url, scenario.stateless), dirB),
]
const sessions = new Map<Child, string[] | undefined>()
for (const side of sides) {
  sessions.set(side, scenario.sessionPerConnection ? await openMany(side, BENCH.connections) : undefined)
  await fire({ url: side.url, scenario, seconds: BENCH.warmupSeconds, connections: BENCH.connections, sessions: sessions.get(side) })
}
const perRequest = new Map<Child, number[]>(sides.map((s) => [s, []]))
for (let r = 1; r <= rounds; r++) {
  for (const side of sides) {
    const before = cpuTicks(side.pid)
    const stats = await fire({ url: side.url, scenario, seconds: BENCH.seconds, connections: BENCH.connections, sessions: sessions.get(side) })
    const us = (cpuTicks(side.pid) - before) * 10_000 / stats.requests
    perRequest.get(side)!.push(us)
    console.log(`${id} round ${r} ${side.name}: ${Math.round(stats.rps)} req/s, ${us.toFixed(0)} µs CPU/request, failures ${failures(stats)}`)
  }
}
const [a, b] = sides.map((s) => median(perRequest.get(s)!, (us) => us))
console.log(`${id}: median CPU per request A ${a.toFixed(0)} µs, B ${b.toFixed(0)} µs, B/A ${(b / a).toFixed(3)}`)
for (const side of sides) await inBatches(sessions.get(side) ?? [], 10, (sid) => closeSession(side.url, sid))
for (const child of [...sides, github]) await child.stop()
