import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import ts from 'typescript'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ConfigSchema } from '../src/config.js'
import { buildApp } from '../src/app.js'
import { SANDBOX_TOKEN } from '../sandbox/github-standin.js'
import { build, KEY_A, MCP_HEADERS, initializeBody, standin } from './helper.js'
import { blocks, docFiles, read, ROOT } from './markdown.js'

// The README is the front door: short, and every snippet in it works as written. Each client
// snippet is read the way that client reads it, and the URL and header it yields must open an
// MCP session against the real gateway.

// Type-checking the TypeScript snippet loads the SDK's types (and zod's): slow on a busy machine.
t.setTimeout(150_000)

const run = promisify(execFile)
const readme = read('README.md')
const sh = blocks(readme).filter((b) => b.lang === 'sh').map((b) => b.code)
const json = blocks(readme).filter((b) => b.lang === 'json').map((b) => JSON.parse(b.code) as Record<string, unknown>)
const DEFAULT_URL = `http://${ConfigSchema.properties.HOST.default}:${ConfigSchema.properties.PORT.default}/mcp`

t.test('the README is a front door: at most 300 lines, with a table of contents', async (t) => {
  const lines = readme.split('\n').length
  t.ok(lines <= 300, `${lines} lines`)
  for (const section of ['Two commands', 'Connect a client', 'Run it for real', 'Configuration', 'Troubleshooting']) {
    t.match(readme, `\n## ${section}\n`, `section ${section}`)
    t.match(readme, `- [${section}](#${section.toLowerCase().replace(/ /g, '-')})`, `listed in the contents: ${section}`)
  }
  t.match(readme, 'npm ci && npm run demo')
  t.match(readme, 'npm ci && npm test')
})

t.test('troubleshooting quotes what the gateway really answers', async (t) => {
  const source = ['src', 'plugins'].flatMap((dir) => readdirSync(new URL(`${dir}/`, ROOT), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts')).map((f) => read(`${dir}/${f}`))).join('\n')
  const section = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('\n## ', readme.indexOf('## Troubleshooting') + 1))
  // Rows for an HTTP answer: `401` "API key required" → the gateway's own text, cut before any figure.
  const quoted = [...section.matchAll(/^\| `(\d{3})[^`]*` "([^"]+)"/gm)].map((m) => [m[1], m[2].split(/ N |…/)[0].trim()])
  t.ok(quoted.length >= 8, `${quoted.length} quoted answers`)
  for (const [status, text] of quoted) t.ok(source.includes(text), `${status} "${text}" is in the source`)
  t.notMatch(source, /\bcode\(421\)|\b421\b/, 'the gateway itself never answers 421, as the table says')
})

/** One client's connection as its snippet describes it. */
interface Connection { client: string; url: string; headers: Record<string, string> }

const KEY = '<the key>'
/** Where a JSON snippet asks the reader to paste their key. */
const PASTE = 'paste-your-key'
const pasted = (value: string) => value === PASTE ? KEY : value

/** "Name: value" (Claude Code, Inspector) or "Name:value" (mcp-remote): split at the first colon. */
function header (pair: string): Record<string, string> {
  const i = pair.indexOf(':')
  return { [pair.slice(0, i).trim()]: pair.slice(i + 1).trim() }
}

function shellConnection (client: string, command: RegExp): Connection {
  const line = sh.flatMap((b) => b.split('\n')).find((l) => command.test(l))
  if (line === undefined) throw new Error(`no ${client} command in the README`)
  const url = /(https?:\/\/\S+\/mcp)\b/.exec(line)?.[1]
  const pair = /--header "([^"]+)"/.exec(line)?.[1]
  if (url === undefined || pair === undefined) throw new Error(`${client}: no URL or --header in ${line}`)
  return { client, url, headers: header(pair.replace('$MCP_KEY', KEY)) }
}

function jsonConnections (): Connection[] {
  const out: Connection[] = []
  for (const config of json) {
    const desktop = config.mcpServers as Record<string, { command?: string; args?: string[]; env?: Record<string, string>; url?: string; headers?: Record<string, string> }> | undefined
    for (const server of Object.values(desktop ?? {})) {
      if (server.command !== undefined) {
        // Claude Desktop launches `npx -y mcp-remote URL --header Name:${VAR}` with `env`.
        const args = server.args ?? []
        if (server.command !== 'npx' || args[0] !== '-y' || args[1] !== 'mcp-remote') throw new Error(`Claude Desktop: not an mcp-remote bridge: ${JSON.stringify(server)}`)
        const pair = args[args.indexOf('--header') + 1].replace(/\$\{(\w+)\}/g, (_m, name: string) => pasted(server.env?.[name] ?? '<unset>'))
        out.push({ client: 'Claude Desktop', url: args[2], headers: header(pair) })
      } else {
        const headers = Object.fromEntries(Object.entries(server.headers ?? {}).map(([name, value]) => [name, pasted(value)]))
        out.push({ client: 'Cursor', url: server.url ?? '', headers })
      }
    }
    const vscode = config.servers as Record<string, { type?: string; url?: string; headers?: Record<string, string> }> | undefined
    for (const server of Object.values(vscode ?? {})) {
      if (server.type !== 'http') throw new Error('VS Code: a remote server needs "type": "http"')
      const inputs = new Set(((config.inputs ?? []) as Array<{ id: string }>).map((i) => i.id))
      const headers = Object.fromEntries(Object.entries(server.headers ?? {}).map(([name, value]) =>
        [name, value.replace(/\$\{input:([\w-]+)\}/g, (_m, id: string) => inputs.has(id) ? KEY : '<undeclared input>')]))
      out.push({ client: 'VS Code', url: server.url ?? '', headers })
    }
  }
  return out
}

t.test('each client snippet, read as that client reads it, opens a session', async (t) => {
  const connections = [
    shellConnection('Claude Code', /^claude mcp add --transport http /),
    shellConnection('MCP Inspector', /^npx @modelcontextprotocol\/inspector --cli /),
    ...jsonConnections()
  ]
  t.same(connections.map((c) => c.client).sort(), ['Claude Code', 'Claude Desktop', 'Cursor', 'MCP Inspector', 'VS Code'])

  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const here = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`
  for (const c of connections) {
    t.equal(c.url, DEFAULT_URL, `${c.client}: the URL of a gateway started with the defaults`)
    const headers = Object.fromEntries(Object.entries(c.headers).map(([name, value]) => [name, value === KEY ? KEY_A : value]))
    const client = new Client({ name: c.client, version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(here), { requestInit: { headers } }))
    const { tools } = await client.listTools()
    t.ok(tools.some((tool) => tool.name === 'get_issue'), `${c.client} connects with ${Object.keys(headers).join(', ')}`)
    await client.close()
  }
})

t.test('the TypeScript snippets type-check and run against the gateway', async (t) => {
  const snippets = docFiles().flatMap((file) => blocks(read(file)).filter((b) => b.lang === 'ts').map((b) => ({ file, ...b })))
  t.ok(snippets.length >= 1, `${snippets.length} TypeScript snippets`)
  // Under node_modules/ so that the snippet's imports resolve as they would in the project.
  const dir = fileURLToPath(new URL('node_modules/.cache/doc-snippets/', ROOT))
  mkdirSync(dir, { recursive: true })
  const paths = snippets.map((s, i) => {
    const path = join(dir, `snippet-${i}.mts`)
    writeFileSync(path, s.code)
    return path
  })

  const config = ts.getParsedCommandLineOfConfigFile(fileURLToPath(new URL('tsconfig.json', ROOT)), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!
  const program = ts.createProgram(paths, { ...config.options, noEmit: true, rootDir: undefined })
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  t.same(problems, [], 'no type errors')

  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`
  for (const [i, path] of paths.entries()) {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path], { env: { ...process.env, MCP_URL: url, MCP_KEY: KEY_A }, timeout: 30_000 })
    t.match(stdout, /get_issue/, `${snippets[i].file}:${snippets[i].line} lists the tools`)
    t.match(stdout, /octo-org\/widgets#1: \S/, `${snippets[i].file}:${snippets[i].line} reads an issue`)
  }
  t.equal(app.sessions.size, 0, 'the snippet ends its session')
})

/** Runs a key-keeping snippet in a fresh directory; returns the directory and the kept key. */
async function keepKey (t: Test, snippet: string): Promise<{ dir: string, key: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'docs-key-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  await run('bash', ['-euc', snippet], { cwd: dir })
  const key = readFileSync(join(dir, 'mcp-api-key.txt'), 'utf8').trim()
  t.ok(key.length >= 40, 'the key is kept in a file the user can read')
  t.equal(statSync(join(dir, 'mcp-api-key.txt')).mode & 0o077, 0, 'readable by its owner only')
  t.notOk(readFileSync(join(dir, '.env'), 'utf8').includes(key), '.env holds the digest, not the key')
  return { dir, key }
}

async function accepts (t: Test, env: { NODE_ENV: string, AUTH_KEYS: string }, key: string) {
  const github = await standin(t)
  const app = await buildApp({ env: { ...env, LOG_LEVEL: 'silent', GITHUB_TOKEN: SANDBOX_TOKEN, GITHUB_API_URL: github.url } })
  t.teardown(() => app.close())
  const init = (key: string) => app.inject({ method: 'POST', url: '/mcp', headers: { ...MCP_HEADERS, 'x-api-key': key }, payload: initializeBody() })
  t.equal((await init(key)).statusCode, 200, `${env.NODE_ENV} accepts the kept key`)
  t.equal((await init(`${key}x`)).statusCode, 403, 'and nothing else')
}

t.test('the README keeps a key, starts with it from .env, and only that key gets in', async (t) => {
  const snippet = sh.find((b) => b.includes('openssl rand -base64 32') && b.includes('mcp-api-key.txt'))
  if (!t.ok(snippet, 'a snippet generates a key into .env')) return
  const { dir, key } = await keepKey(t, snippet!)

  // The documented start line: .env reaches the process environment.
  const start = sh.find((b) => b.includes('. ./.env') && b.includes('npm start'))
  if (!t.ok(start, 'a snippet starts the gateway with .env')) return
  const { stdout } = await run('bash', ['-euc', start!.replace('npm start', 'printenv AUTH_KEYS NODE_ENV GITHUB_TOKEN')], { cwd: dir })
  const [authKeys, nodeEnv, token] = stdout.trim().split('\n')
  t.match(authKeys, /^sha256:[0-9a-f]{64}$/)
  t.equal(nodeEnv, 'production')
  t.ok(token, 'GITHUB_TOKEN comes from .env too')
  await accepts(t, { NODE_ENV: nodeEnv, AUTH_KEYS: authKeys }, key)
})

t.test('every other key-keeping snippet in docs/ works the same way', async (t) => {
  const snippets = docFiles().filter((f) => f !== 'README.md').flatMap((file) => blocks(read(file))
    .filter((b) => b.lang === 'sh' && b.code.includes('mcp-api-key.txt')).map((b) => ({ file, ...b })))
  t.ok(snippets.length >= 1, `${snippets.length} in docs/`)
  for (const s of snippets) {
    await t.test(`${s.file}:${s.line}`, async (t) => {
      const { dir, key } = await keepKey(t, s.code)
      const authKeys = /^AUTH_KEYS=(.*)$/m.exec(readFileSync(join(dir, '.env'), 'utf8'))?.[1] ?? ''
      await accepts(t, { NODE_ENV: 'production', AUTH_KEYS: authKeys }, key)
    })
  }
})

