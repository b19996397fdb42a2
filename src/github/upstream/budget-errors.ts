// What the budgets answer instead of sending: refusals a model can act on (the wait is named).

/** Which of the throttling plugin's groups refused: a budget, or the concurrency cap. */
export type BudgetGroup = 'search' | 'write' | 'notifications' | 'global'

/** Refused before anything was sent: the budget's queue is full. */
export class BudgetExhaustedError extends Error {
  constructor (readonly group: BudgetGroup, readonly budget: string, readonly rate: string, readonly retryAfterS: number) {
    super(`GitHub ${budget} budget exhausted (${rate}): try again in about ${retryAfterS} s`)
    this.name = 'BudgetExhaustedError'
  }
}

/** Refused because the client is closing (process shutdown); nothing was sent. */
export class ClientClosedError extends Error {
  constructor () {
    super('the GitHub client is closed')
    this.name = 'ClientClosedError'
  }
}

