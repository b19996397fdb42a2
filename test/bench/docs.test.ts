import t from 'tap'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { SCENARIOS } from '../../bench/scenarios.js'

// docs/benchmarks.md follows the bench: every scenario id, every BENCH_* knob and every ratio
// target the code holds is in it, so adding one without documenting it fails here.

const root = new URL('../../', import.meta.url)
const doc = readFile(new URL('docs/benchmarks.md', root), 'utf8')

async function benchSources (dir: string): Promise<string[]> {
  const entries = await readdir(new URL(dir, root), { withFileTypes: true })
  const nested = await Promise.all(entries.map(async (e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return benchSources(`${path}/`)
    return e.name.endsWith('.ts') ? [await readFile(new URL(path, root), 'utf8')] : []
  }))
  return nested.flat()
}

t.test('every scenario id can be named in BENCH_ONLY and is described', async (t) => {
  const text = await doc
  const only = text.split('\n').find((line) => line.startsWith('| `BENCH_ONLY` |')) ?? ''
  for (const id of [...SCENARIOS.map((s) => s.id), 'memory', 'agent_workload', 'agent_workload_webhooks', 'webhook_delay', 'handlers']) {
    t.match(only, `\`${id}\``, `${id} in the BENCH_ONLY row`)
    t.match(text, new RegExp(`^\\| \`${id}\` \\|`, 'm'), `${id} in the scenarios table`)
  }
})

t.test('every BENCH_* variable the bench reads is in the table', async (t) => {
  const text = await doc
  const names = new Set((await benchSources('bench/')).flatMap((source) => source.match(/BENCH_[A-Z_]+/g) ?? []))
  t.ok(names.size >= 10, `${names.size} variables found`)
  for (const name of names) t.match(text, new RegExp(`^\\| \`${name}\` \\|`, 'm'), name)
})

t.test('every ratio target is stated, the per-request get_issue row at 2x with its reason', async (t) => {
  const text = await doc
  const targets = text.slice(text.indexOf('## Targets'), text.indexOf('## Results'))
  for (const s of SCENARIOS.filter((x) => x.minRatio !== undefined)) t.match(targets, `≥ ${s.minRatio}×`, s.id)
  t.match(targets, /\| `get_issue`, a different issue per connection \| ≥ 2× \|/)
  t.match(targets, /that is the price of one path/)
})
