// Deterministic randomness for the fuzz test: one seeded generator (mulberry32) feeds every choice,
// so a failing run is reproduced exactly by running it again with the same seed.

export class Rng {
  private state: number

  constructor (readonly seed: number) {
    this.state = seed >>> 0
  }

  /** mulberry32: a float in [0, 1). Small, fast and good enough to pick test inputs. */
  next (): number {
    this.state = (this.state + 0x6D2B79F5) >>> 0
    let x = this.state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int (min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance (p: number): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** Picks by weight: `[[3, 'a'], [1, 'b']]` yields 'a' three times as often. */
  weighted<T> (entries: ReadonlyArray<readonly [number, T]>): T {
    const total = entries.reduce((sum, [w]) => sum + w, 0)
    let r = this.next() * total
    for (const [w, value] of entries) {
      r -= w
      if (r < 0) return value
    }
    return entries[entries.length - 1][1]
  }

  /** Characters valid in an HTTP header value for node's client (no CR, LF, NUL; latin1 only). */
  headerText (maxLength: number): string {
    const n = this.int(0, maxLength)
    let s = ''
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.chance(0.9) ? this.int(0x20, 0x7e) : this.int(0xa0, 0xff))
    return s
  }

  /** Anything a JSON string can hold: ASCII, control characters, bidi overrides, emoji, lone surrogates. */
  nastyText (maxLength: number): string {
    const n = this.int(0, maxLength)
    const parts: string[] = []
    for (let i = 0; i < n; i++) {
      parts.push(this.weighted<() => string>([
        [6, () => String.fromCharCode(this.int(0x20, 0x7e))],
        [2, () => String.fromCharCode(this.int(0, 0x1f))],
        [1, () => this.pick(['\u202e', '\u200b', '\ufeff', '\u2028', '\u0085', '\ud83d\udca5', 'é', '\u{10ffff}'])],
        [1, () => String.fromCharCode(this.int(0xd800, 0xdfff))],
        [1, () => this.pick(['../', '%2e%2e/', '%00', '\\', '"', "'", '${x}', '{{x}}', '<script>', '\r\n'])]
      ])())
    }
    return parts.join('')
  }

  /** A long string: sometimes below the body limit, sometimes well above it. */
  hugeText (): string {
    return this.pick(['a', 'é', '\u0000', 'x"', '🙂']).repeat(this.pick([5_000, 60_000, 200_000, 600_000]))
  }

  /** A value of any JSON type, for type swaps. */
  weirdValue (): unknown {
    return this.weighted<() => unknown>([
      [2, () => null],
      [1, () => this.chance(0.5)],
      [2, () => this.pick([0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53, 2 ** 31, 4294967296, 1e-300])],
      [2, () => this.nastyText(40)],
      [1, () => ''],
      [1, () => []],
      [1, () => ({})],
      [1, () => [this.nastyText(5), 1, null, {}]],
      [1, () => ({ __proto__x: 1, constructor: { prototype: { polluted: true } } })]
    ])()
  }
}
