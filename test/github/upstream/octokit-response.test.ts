// The client reads successful answers itself (Octokit's parseSuccessResponseBody is off): what
// tools see must be what Octokit's own parser would have given, except that JSON is parsed
// natively, so an integer past 2^53 is a number, not a BigInt that no tool output could serialise.
import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Octokit } from '@octokit/rest'
import { memoryLogger } from '../harness.js'
import { createGitHubClient } from '../../../src/github/upstream/client.js'

interface Canned { type?: string, body: string | Buffer }
const ANSWERS: Record<string, Canned> = {
  '/json': { type: 'application/json; charset=utf-8', body: '{"id":1,"title":"t","labels":[{"name":"bug"}],"body":"caf\u00e9 \u2014 ok"}' },
  '/json-bom': { type: 'application/json', body: '\ufeff{"id":2}' },
  '/json-array': { type: 'application/json', body: '[1,2,3]' },
  '/scim': { type: 'application/scim+json', body: '{"schemas":["x"]}' },
  '/text': { type: 'text/plain', body: 'plain words' },
  '/utf8-other': { type: 'application/vnd.github.raw; charset=utf-8', body: '# README' },
  '/none': { body: 'no content type' },
  '/binary': { type: 'application/octet-stream', body: Buffer.from([0, 1, 2, 255]) },
}

async function upstream (t: Test): Promise<string> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/\?.*$/, '')
    const canned = ANSWERS[path] ?? (path === '/big' ? { type: 'application/json', body: '{"id":12345678901234567890}' } : undefined)
    if (canned === undefined) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}'); return }
    res.writeHead(200, canned.type === undefined ? {} : { 'content-type': canned.type }).end(canned.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('each kind of success reads as Octokit would read it', async (t) => {
  const baseUrl = await upstream(t)
  const client = createGitHubClient({ token: 'tok', baseUrl, logger: memoryLogger([]) })
  t.teardown(() => client.close())
  const plain = new Octokit({ auth: 'tok', baseUrl })
  // An Accept that is not JSON: the request policy would refuse a non-JSON answer to a JSON one.
  const headers = { accept: 'application/vnd.github.raw' }
  for (const path of Object.keys(ANSWERS)) {
    const ours = await client.api.request(`GET ${path}`, { headers })
    const theirs = await plain.request(`GET ${path}`, { headers })
    t.same(ours.data, theirs.data, `${path}: same data`)
    t.equal(Object.prototype.toString.call(ours.data), Object.prototype.toString.call(theirs.data), `${path}: same kind`)
  }
  const bytes = (await client.api.request('GET /binary', { headers })).data as ArrayBuffer
  t.same([...new Uint8Array(bytes)], [0, 1, 2, 255], 'binary bodies arrive as their bytes')
})

t.test('JSON is parsed natively: a huge integer is a number, where Octokit would give a BigInt', async (t) => {
  const baseUrl = await upstream(t)
  const client = createGitHubClient({ token: 'tok', baseUrl, logger: memoryLogger([]) })
  t.teardown(() => client.close())
  const ours = (await client.api.request('GET /big')).data as { id: unknown }
  t.equal(typeof ours.id, 'number')
  t.doesNotThrow(() => JSON.stringify(ours), 'serialisable')
  const theirs = (await new Octokit({ auth: 'tok', baseUrl }).request('GET /big')).data as { id: unknown }
  t.equal(typeof theirs.id, 'bigint', 'Octokit alone would not be (if this changes, octokit-response.ts may go)')
})

t.test('errors are still Octokit\'s to parse', async (t) => {
  const baseUrl = await upstream(t)
  const client = createGitHubClient({ token: 'tok', baseUrl, logger: memoryLogger([]) })
  t.teardown(() => client.close())
  const error = await client.api.request('GET /missing').then(() => undefined, (e: unknown) => e)
  t.match(error, { status: 404, response: { data: { message: 'Not Found' } } })
})
