// Events for stream ids a store does not know yet, kept per id and replayed in order once the
// start call has answered with the id. Main already holds a stream's early events until then;
// this covers a transport that still delivers one before the answer. Bounded: few ids, few events.

/** A bounded per-id buffer of replays. */
export class PendingById {
  private readonly byId = new Map<string, Array<() => void>>()

  /**
   * @param maxIds ids held at once; a new one drops the oldest (events of streams this window
   *   never learns about, e.g. one it already forgot)
   * @param maxPerId replays kept per id; later ones are dropped
   */
  constructor(
    private readonly maxIds = 16,
    private readonly maxPerId = 256,
  ) {}

  /** Ids with something held. */
  get size(): number {
    return this.byId.size
  }

  /** Keep `replay` for `id`, after what is already held for it. */
  hold(id: string, replay: () => void): void {
    let list = this.byId.get(id)
    if (!list) {
      if (this.byId.size >= this.maxIds) {
        const oldest = this.byId.keys().next().value
        if (oldest !== undefined) this.byId.delete(oldest)
      }
      list = []
      this.byId.set(id, list)
    }
    if (list.length < this.maxPerId) list.push(replay)
  }

  /** Run what was held for `id`, in arrival order, and forget it. */
  release(id: string): void {
    const list = this.byId.get(id)
    this.byId.delete(id)
    for (const replay of list ?? []) replay()
  }

  clear(): void {
    this.byId.clear()
  }
}
