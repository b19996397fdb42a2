// The fixed text of the bug-report-template prompt.

export const BUG_REPORT_TEMPLATE = `Help me write a clear bug report. Ask me for anything missing, then produce the
report in exactly this markdown form, ready to pass as the body of create_issue (with a title of at most
80 characters that names the symptom, not the guessed cause):

## Summary
One or two sentences: what is wrong.

## Steps to reproduce
1.
2.
3.

## Expected behaviour

## Actual behaviour
Include exact error messages and, if useful, a short log excerpt in a code block.

## Environment
- Version / commit:
- OS and runtime:
- Configuration that matters:

## Frequency and impact
Always / sometimes / once; who is affected and how badly.

## Workaround
If any.`
