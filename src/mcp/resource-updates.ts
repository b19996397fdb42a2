// The process's "resource updated" bus: sessions listen on the topics of the resources they
// subscribed to, and whoever learns that something changed publishes its topics. A topic is an
// opaque string the domain chooses (by default a resource's URI); this layer only matches them.
// In-process only: carrying updates between replicas is the publisher's business.

export type UpdateListener = () => void

export class ResourceUpdates {
  private readonly byTopic = new Map<string, Set<UpdateListener>>()

  /** Calls `listener` whenever one of `topics` is published; returns how to stop. */
  listen (topics: readonly string[], listener: UpdateListener): () => void {
    for (const topic of topics) {
      let set = this.byTopic.get(topic)
      if (set === undefined) this.byTopic.set(topic, set = new Set())
      set.add(listener)
    }
    return () => {
      for (const topic of topics) {
        const set = this.byTopic.get(topic)
        if (set === undefined) continue
        set.delete(listener)
        if (set.size === 0) this.byTopic.delete(topic)
      }
    }
  }

  /** Tells every listener on any of `topics`, each once however many of its topics are named. */
  publish (topics: readonly string[]): number {
    const called = new Set<UpdateListener>()
    for (const topic of topics) for (const listener of this.byTopic.get(topic) ?? []) called.add(listener)
    for (const listener of called) listener()
    return called.size
  }

  /** Topics someone listens on (for tests and metrics). */
  get topics (): number { return this.byTopic.size }
}
