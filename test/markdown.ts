import { readdirSync, readFileSync } from 'node:fs'

// Just enough Markdown for the doc tests: fenced blocks, headings and links, with code fences
// respected (a `## heading` or `[x](y)` inside a code block is text, not structure).

export const ROOT = new URL('../', import.meta.url)

export interface Block { lang: string; code: string; line: number }
export interface Link { target: string; line: number }

/** README.md and every docs/*.md, as paths relative to the repository root. */
export function docFiles (): string[] {
  const docs = readdirSync(new URL('docs/', ROOT)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)
  return ['README.md', ...docs.sort()]
}

export function read (path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8')
}

interface Parsed { blocks: Block[]; prose: Array<{ text: string; line: number }> }

function parse (markdown: string): Parsed {
  const blocks: Block[] = []
  const prose: Parsed['prose'] = []
  let open: { fence: string; lang: string; line: number; lines: string[] } | null = null
  markdown.split('\n').forEach((text, i) => {
    const fence = /^\s*(`{3,})(\S*)\s*$/.exec(text)
    if (open === null) {
      if (fence) open = { fence: fence[1], lang: fence[2], line: i + 1, lines: [] }
      else prose.push({ text, line: i + 1 })
      return
    }
    if (fence && fence[1] === open.fence && fence[2] === '') {
      // Indented blocks (inside list items) are dedented by the indentation of their fence.
      const indent = /^\s*/.exec(markdown.split('\n')[open.line - 1])![0].length
      blocks.push({ lang: open.lang, code: open.lines.map((l) => l.slice(Math.min(indent, /^\s*/.exec(l)![0].length))).join('\n') + '\n', line: open.line })
      open = null
      return
    }
    open.lines.push(text)
  })
  if (open !== null) throw new Error(`unclosed code fence opened on line ${(open as { line: number }).line}`)
  return { blocks, prose }
}

export function blocks (markdown: string): Block[] {
  return parse(markdown).blocks
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors (markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const { text } of parse(markdown).prose) {
    const heading = /^#{1,6} +(.*?)\s*#*\s*$/.exec(text)
    if (!heading) continue
    const base = heading[1].toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

/** Inline links `[text](target)` outside code fences and code spans. */
export function links (markdown: string): Link[] {
  const out: Link[] = []
  for (const { text, line } of parse(markdown).prose) {
    const withoutCode = text.replace(/`[^`]*`/g, '')
    for (const m of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) out.push({ target: m[1], line })
  }
  return out
}
