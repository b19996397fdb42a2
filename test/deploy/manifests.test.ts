import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'

// No Docker engine or cluster runs in CI, so the deployment files are checked by reading them:
// the properties an operator relies on (shared Redis, probes, non-root, read-only root, drain
// budget) and the names that tie them to the code (env variables, entry path, ports).

// Parsed YAML is untyped by nature; the assertions below are its type check.
type Obj = Record<string, any>
const root = new URL('../../', import.meta.url).pathname
const read = (file: string) => readFileSync(join(root, file), 'utf8')
const schema = JSON.parse(read('.env.schema.json')) as { properties: Record<string, { default?: unknown }> }
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>, dependencies: Record<string, string> }
const schemaDefault = (name: string) => Number(schema.properties[name].default)
/** Seconds the gateway may take after SIGTERM: drain delay plus drain budget. */
const shutdownSeconds = (env: Record<string, string | undefined>) =>
  (Number(env.SHUTDOWN_DRAIN_DELAY_MS ?? schemaDefault('SHUTDOWN_DRAIN_DELAY_MS')) +
    Number(env.SHUTDOWN_TIMEOUT_MS ?? schemaDefault('SHUTDOWN_TIMEOUT_MS'))) / 1000
const unknownVars = (names: string[]) => names.filter((n) => !(n in schema.properties))

/** The start script's entry: the file `npm run build` must emit and the image must run. */
// The script checks for a build first, then execs node (so signals reach the gateway).
const startEntry = /(?:^|; )exec node (\S+)$/.exec(pkg.scripts.start)?.[1]

interface Instruction { op: string, args: string }
/** Dockerfile instructions per stage, continuation lines joined and comments dropped. */
function dockerStages (text: string): Instruction[][] {
  const stages: Instruction[][] = []
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'))
  for (const line of lines) {
    const [, op, args] = /^\s*(\w+)\s+(.*)$/.exec(line) ?? []
    if (op.toUpperCase() === 'FROM') stages.push([])
    stages.at(-1)!.push({ op: op.toUpperCase(), args: args.trim() })
  }
  return stages
}

t.test('build output path: tsc emits the entry that `npm start` runs', async (t) => {
  const { compilerOptions } = JSON.parse(read('tsconfig.json'))
  const build = JSON.parse(read('tsconfig.build.json'))
  t.equal(pkg.scripts.build, 'tsc -p tsconfig.build.json')
  t.ok(build.include.includes('src'), 'the build compiles src/')
  const emitted = posix.join(compilerOptions.outDir, posix.relative(compilerOptions.rootDir, 'src/server.ts')).replace(/\.ts$/, '.js')
  t.equal(startEntry, emitted, 'start runs what the build emits')
})

t.test('Dockerfile', async (t) => {
  const stages = dockerStages(read('Dockerfile'))
  const [build, runtime] = [stages[0], stages.at(-1)!]
  t.equal(stages.length, 2, 'multi-stage: build + runtime')
  const all = (stage: Instruction[], op: string) => stage.filter((i) => i.op === op).map((i) => i.args)
  t.match(build[0].args, /^node:22\S* AS build$/i)
  t.ok(all(build, 'RUN').some((r) => /\bnpm ci\b/.test(r)), 'build stage installs with npm ci')
  t.ok(all(build, 'RUN').some((r) => /\bnpm run build\b/.test(r)), 'build stage runs npm run build')
  t.match(runtime[0].args, /^node:22\b/, 'runtime on node 22 LTS')
  t.ok(all(runtime, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'runtime installs production deps only')
  t.ok(all(runtime, 'COPY').some((c) => c === '--from=build /app/dist ./dist'), 'runtime copies dist from the build stage')

  const env = Object.fromEntries(all(runtime, 'ENV').flatMap((e) => e.split(/\s+/)).map((kv) => kv.split('=')))
  t.equal(env.HOST, '0.0.0.0')
  t.equal(env.NODE_ENV, 'production')
  t.same(unknownVars(Object.keys(env)), [], 'every ENV is a gateway variable')
  t.same(all(runtime, 'EXPOSE'), [String(env.PORT ?? schemaDefault('PORT'))])

  const user = all(runtime, 'USER').at(-1)
  t.ok(user !== undefined && !/^(root|0)(:|$)/.test(user), `non-root USER (${user})`)
  const health = all(runtime, 'HEALTHCHECK').at(-1) ?? ''
  const probe = JSON.parse(health.slice(health.indexOf('CMD ') + 4)) as string[]
  t.equal(probe[0], 'node', 'HEALTHCHECK uses node (no curl in slim images)')
  t.match(probe.join(' '), /127\.0\.0\.1:.*\/health'/)

  const cmd = all(runtime, 'CMD').at(-1) ?? ''
  t.same(JSON.parse(cmd), ['node', startEntry], 'exec-form CMD runs the start entry with node directly')

  // The build stage COPYs from the context; .dockerignore is an allow-list and must let them in.
  const allowed = read('.dockerignore').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1))
  const copied = all(build, 'COPY').flatMap((c) => c.split(/\s+/).slice(0, -1))
  t.same(copied.filter((f) => !allowed.includes(f)), [], 'every copied path passes .dockerignore')
})

t.test('docker-compose.yml: two replicas sharing one Redis', async (t) => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as Obj
  const services = Object.entries(compose.services as Record<string, Obj>)
  const redis = services.filter(([, s]) => String(s.image).startsWith('redis:'))
  const gateways = services.filter(([, s]) => s.build !== undefined)
  t.equal(redis.length, 1, 'one Redis')
  t.equal(gateways.length, 2, 'two gateway replicas')
  const [redisName] = redis[0]
  const seconds = (d: string) => [...d.matchAll(/(\d+)(ms|s|m|h)/g)]
    .reduce((sum, [, n, u]) => sum + Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600 }[u as 'ms']!, 0)

  for (const [name, s] of gateways) {
    const env = s.environment as Record<string, string>
    t.equal(env.REDIS_URL, `redis://${redisName}:6379`, `${name} uses the shared Redis`)
    t.equal(env.MCP_STATELESS, 'true', `${name} is stateless`)
    t.match(env.GITHUB_TOKEN, /^\$\{GITHUB_TOKEN:\?/, `${name} requires GITHUB_TOKEN from the environment/.env`)
    t.match(env.AUTH_KEYS, /^\$\{AUTH_KEYS:\?/, `${name} requires AUTH_KEYS from the environment/.env`)
    t.same(unknownVars(Object.keys(env)), [], `${name}: every variable is in .env.schema.json`)
    t.equal(s.read_only, true, `${name} has a read-only root fs`)
    t.ok((s.tmpfs as string[]).includes('/tmp'), `${name} has a tmpfs /tmp`)
    t.equal(s.init, true, `${name} runs an init as PID 1`)
    t.notOk(s.user !== undefined && /^(root|0)(:|$)/.test(String(s.user)), `${name} keeps the image's non-root user`)
    t.match(s.healthcheck.test.join(' '), /\/health\b/, `${name} healthcheck hits /health`)
    t.equal(s.depends_on?.[redisName]?.condition, 'service_healthy')
    t.ok(seconds(s.stop_grace_period) > shutdownSeconds(env), `${name} stop_grace_period above the drain budget`)
  }
  const hostPorts = gateways.flatMap(([, s]) => (s.ports as string[]).map((p) => p.split(':')[0]))
  t.equal(new Set(hostPorts).size, 2, 'each replica reachable on its own host port')
  t.same(redis[0][1].healthcheck.test, ['CMD', 'redis-cli', 'ping'])
})

t.test('deploy/kubernetes', async (t) => {
  const dir = join(root, 'deploy/kubernetes')
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
  const docs: Obj[] = []
  for (const f of files) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      t.same(d.errors, [], `${f} parses`)
      docs.push({ ...d.toJS(), file: f })
    }
  }
  const find = (kind: string, component: string) =>
    docs.find((d) => d.kind === kind && d.metadata?.labels?.['app.kubernetes.io/component'] === component)!
  const deploy = find('Deployment', 'gateway')
  const service = find('Service', 'gateway')
  const redisService = find('Service', 'redis')
  const secret = docs.find((d) => d.kind === 'Secret')!
  t.ok(deploy && service && redisService && secret && find('Deployment', 'redis'), 'all objects present')

  t.equal(deploy.spec.replicas, 2)
  const pod = deploy.spec.template.spec
  const [c] = pod.containers as Obj[]
  t.same(service.spec.selector, deploy.spec.template.metadata.labels, 'Service selects the gateway pods')
  t.ok(c.ports.some((p: Obj) => p.name === service.spec.ports[0].targetPort), 'Service targets a named container port')

  t.equal(c.readinessProbe.httpGet.path, '/health')
  t.equal(c.livenessProbe.httpGet.path, '/health/live')
  const preStop = c.lifecycle.preStop
  const preStopSeconds = Number(preStop.sleep?.seconds ?? (preStop.exec?.command[0] === 'sleep' ? preStop.exec.command[1] : 0))
  t.ok(preStopSeconds > 0, 'preStop pause')

  const env = Object.fromEntries((c.env as Obj[]).map((e) => [e.name, e.value]))
  t.same(unknownVars(Object.keys(env)), [], 'every variable is in .env.schema.json')
  t.ok(pod.terminationGracePeriodSeconds > shutdownSeconds(env) + preStopSeconds,
    'terminationGracePeriodSeconds > preStop + SHUTDOWN_TIMEOUT_MS (+ drain delay)')
  t.equal(env.MCP_STATELESS, 'true')
  t.equal(env.HOST, '0.0.0.0')
  const redisUrl = new URL(env.REDIS_URL)
  t.equal(redisUrl.hostname, redisService.metadata.name, 'REDIS_URL names the Redis Service')
  t.equal(Number(redisUrl.port), redisService.spec.ports[0].port)
  for (const name of ['GITHUB_TOKEN', 'AUTH_KEYS']) {
    const ref = (c.env as Obj[]).find((e) => e.name === name)?.valueFrom?.secretKeyRef
    t.equal(ref?.name, secret.metadata.name, `${name} comes from the Secret`)
    t.match(secret.stringData[ref?.key], /REPLACE/, `${name} is a placeholder in the example`)
  }

  t.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, 'resources set')
  t.equal(pod.securityContext.runAsNonRoot, true)
  t.not(pod.securityContext.runAsUser, 0)
  t.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault')
  t.same(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
  const tmp = (c.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp')
  t.ok(tmp && pod.volumes.some((v: Obj) => v.name === tmp.name && v.emptyDir), '/tmp is a writable emptyDir')

  const kustomization = docs.find((d) => d.kind === 'Kustomization')!
  t.ok(kustomization.resources.every((r: string) => existsSync(join(dir, r))), 'kustomization lists existing files')
  t.notOk(kustomization.resources.includes(secret.file), 'the placeholder Secret is never applied by -k')
})

t.test('the server imports only production dependencies (the image has no others)', async (t) => {
  // Walks the runtime import graph from src/server.ts; `import type` is erased by tsc.
  const seen = new Set<string>()
  const bare = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = read(file)
    const specs = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)]
    for (const [, spec] of specs) {
      if (spec.endsWith('.json')) continue
      if (spec.startsWith('.')) visit(posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'))
      else if (!spec.startsWith('node:')) bare.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'))
    }
  }
  visit('src/server.ts')
  t.ok(seen.has('src/app.ts') && bare.has('fastify'), 'the walk reaches the app')
  t.same([...bare].filter((name) => !(name in pkg.dependencies)), [], 'every runtime package is a production dependency')
})
