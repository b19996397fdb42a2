// Schema fuzz (payload-fuzz.ts) of the issue:// resources.
import t from 'tap'
import { fuzz, get, resource, richNewest, W } from './payload-fuzz.js'

t.setTimeout(240_000) // over a thousand reads, on a machine that may be busy

fuzz(t, [
  { label: 'issue://…/1', run: resource('issue://octo-org/widgets/1'), reads: [get(`${W}/issues/1`)] },
  { label: 'issue://…/1/comments', run: resource('issue://octo-org/widgets/1/comments'), reads: [get(`${W}/issues/1`), get(`${W}/issues/1/comments`)] },
  { label: 'issue://…/open', run: resource('issue://octo-org/widgets/open'), reads: [get(`${W}/issues`)], prepare: richNewest },
])
