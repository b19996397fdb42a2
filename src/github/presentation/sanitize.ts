// Issue and comment text is written by strangers and may carry prompt injection. We keep what a
// person reading the issue on github.com would see, drop what they would not (HTML comments,
// markdown "comment" link definitions, invisible, bidirectional and tag characters), fence the
// result between UNTRUSTED markers and cap its length with an explicit marker.

// Controls (C0 except tab/newline/CR, DEL, C1), soft hyphen, zero-width and bidi controls,
// invisible fillers, variation selectors and Unicode tags (both used to smuggle hidden text).
const INVISIBLE = new RegExp('[' + [
  '\\u0000-\\u0008', '\\u000B\\u000C', '\\u000E-\\u001F', '\\u007F-\\u009F', '\\u00AD', '\\u034F', '\\u061C',
  '\\u115F\\u1160', '\\u17B4\\u17B5', '\\u180B-\\u180F', '\\u200B-\\u200F', '\\u202A-\\u202E',
  '\\u2060-\\u206F', '\\u3164', '\\uFE00-\\uFE0F', '\\uFEFF', '\\uFFA0', '\\uFFF9-\\uFFFB',
  '\\u{1D173}-\\u{1D17A}', '\\u{E0000}-\\u{E007F}', '\\u{E0100}-\\u{E01EF}',
].join('') + ']', 'gu')
// An unterminated comment hides the rest of the document on GitHub, so it is cut to the end.
const HTML_COMMENT = /<!--[\s\S]*?(?:--!?>|$)/g
// `[//]: # (hidden)` and `[x]: <> (hidden)`: link definitions that render as nothing.
const HIDDEN_DEFINITION = /^ {0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>)(?:[ \t].*)?$\n?/gm
// Text that would imitate our own fence markers.
const FAKE_MARKER = /<<<(\s*(?:END\s+)?UNTRUSTED)/gi

/** Visible text only: what github.com would render, as plain characters. */
export function cleanText (text: string | null | undefined): string {
  if (text == null) return ''
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(HTML_COMMENT, '')
    .replace(INVISIBLE, '')
    .replace(HIDDEN_DEFINITION, '')
    .replace(FAKE_MARKER, '‹‹‹$1') // titles too: nothing a stranger writes may imitate our fence
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** For titles, label names and logins: one line, capped. */
export function cleanLine (text: string | null | undefined, max = 256): string {
  const line = cleanText(text).replace(/\s+/g, ' ')
  return line.length <= max ? line : line.slice(0, cutAt(line, max)) + '…'
}

/** Where to cut so that at most `max` UTF-16 units remain and no surrogate pair is split. */
function cutAt (text: string, max: number): number {
  const code = text.charCodeAt(max - 1)
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max
}

/** Cleaned and capped; the marker says how much was cut and where the full text is. */
export function capText (text: string | null | undefined, max: number, url?: string): string {
  const clean = cleanText(text)
  if (clean.length <= max) return clean
  const end = cutAt(clean, max)
  const where = url === undefined ? '' : ` Full text: ${url}`
  return `${clean.slice(0, end)}\n\n[… truncated: ${clean.length - end} more characters.${where}]`
}

/** Cleaned, capped and fenced, for the markdown a model reads. */
export function fence (label: string, text: string | null | undefined, max: number, url?: string): string {
  const body = capText(text, max, url)
  return `<<<UNTRUSTED ${label}>>>\n${body === '' ? '(empty)' : body}\n<<<END UNTRUSTED>>>`
}
