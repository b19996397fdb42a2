import t from 'tap'
import { stable, stableJson, messageBody, messageJson } from '../../src/mcp/stable-json.js'

t.test('stable results are frozen deeply and spliced into responses', async (t) => {
  const list = stable({ tools: [{ name: 'a', inputSchema: { type: 'object' } }] })
  t.ok(Object.isFrozen(list.tools[0].inputSchema), 'deep-frozen: a later write cannot make the JSON stale')
  t.throws(() => { (list.tools as unknown as unknown[]).push(1) })
  t.equal(stableJson(list), JSON.stringify(list))
  const message = { jsonrpc: '2.0', id: 'x"1', result: list }
  t.same(JSON.parse(messageJson(message)), JSON.parse(JSON.stringify(message)), 'same JSON as a plain stringify')
  const plain = { jsonrpc: '2.0', id: 2, result: { tools: [] } }
  t.equal(messageJson(plain), JSON.stringify(plain), 'other results are stringified as usual')
  t.equal(stableJson({}), undefined)
  t.equal(stableJson(null), undefined)
  t.same(Object.keys(list), ['tools'], 'the cached JSON is not an own enumerable key')
  t.equal(JSON.stringify(list), '{"tools":[{"name":"a","inputSchema":{"type":"object"}}]}', 'nor part of the JSON')
})

t.test('a stable result is sent as bytes encoded once, identical to its JSON text', async (t) => {
  // Non-ASCII text (as the tool descriptions hold) and a string id that needs escaping.
  const list = stable({ tools: [{ name: 'a', description: 'one – two → three ✓' }] })
  for (const id of [7, 'ü"id']) {
    const message = { jsonrpc: '2.0', id, result: list }
    const body = messageBody(message)
    t.ok(Buffer.isBuffer(body), `bytes for id ${JSON.stringify(id)}`)
    t.equal((body as Buffer).toString('utf8'), messageJson(message), 'the same text as messageJson')
    t.same(JSON.parse((body as Buffer).toString('utf8')), JSON.parse(JSON.stringify(message)))
  }
  const plain = { jsonrpc: '2.0', id: 2, result: { tools: ['–'] } }
  t.equal(messageBody(plain), JSON.stringify(plain), 'other results are text')
  const error = { jsonrpc: '2.0', id: 3, error: { code: -1, message: 'x' } }
  t.equal(messageBody(error), JSON.stringify(error), 'errors are text')
  const notification = { jsonrpc: '2.0', method: 'x', result: list }
  t.equal(messageBody(notification), JSON.stringify(notification), 'no id: plain stringify')
})
