// Schema fuzz (payload-fuzz.ts) of the tools that change issues: the read they make first and
// GitHub's answer to the write itself.
import t from 'tap'
import { fuzz, get, tool, W, widgets } from './payload-fuzz.js'

t.setTimeout(240_000) // about a thousand calls, on a machine that may be busy

fuzz(t, [
  { label: 'update_issue', run: tool('update_issue', { ...widgets, issue_number: 3, labels: ['bug'] }), reads: [get(`${W}/issues/3`), { method: 'PATCH', path: `${W}/issues/3` }] },
  { label: 'batch_label_issues', run: tool('batch_label_issues', { ...widgets, issue_numbers: [1], labels: ['bug'] }), reads: [get(`${W}/issues/1`), { method: 'POST', path: `${W}/issues/1/labels` }] },
])
