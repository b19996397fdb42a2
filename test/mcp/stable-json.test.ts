import t from 'tap'
import { stable, stableJson, messageJson } from '../../src/mcp/stable-json.js'

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
})
