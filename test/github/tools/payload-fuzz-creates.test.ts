// Schema fuzz (payload-fuzz.ts) of the tools that create: GitHub's answer to the creation (and the
// read add_issue_comment makes first). An unreadable answer must not invite a second creation.
import t from 'tap'
import { fuzz, get, tool, W, widgets } from './payload-fuzz.js'

t.setTimeout(240_000) // several hundred calls, on a machine that may be busy

fuzz(t, [
  { label: 'add_issue_comment', run: tool('add_issue_comment', { ...widgets, issue_number: 2, body: 'Seen it too.' }), reads: [get(`${W}/issues/2`), { method: 'POST', path: `${W}/issues/2/comments` }] },
  { label: 'create_issue', run: tool('create_issue', { ...widgets, title: 'Fuzzed', labels: ['bug'] }), reads: [{ method: 'POST', path: `${W}/issues` }] },
])
