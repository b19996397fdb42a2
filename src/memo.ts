/**
 * Remembers `fn`'s answers for recent string inputs. For per-request checks of header values
 * that a client repeats on every request (Host, Accept). The inputs are the client's to choose,
 * so the memory is bounded: when `max` answers are held it starts over.
 */
export function memoizeRecent<T> (fn: (input: string) => T, max = 64): (input: string) => T {
  const answers = new Map<string, T>()
  return (input) => {
    let answer = answers.get(input)
    if (answer === undefined && !answers.has(input)) {
      answer = fn(input)
      if (answers.size >= max) answers.clear()
      answers.set(input, answer)
    }
    return answer as T
  }
}
