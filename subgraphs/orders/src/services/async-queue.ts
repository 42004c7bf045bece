/**
 * A push-fed async iterator. An async generator cannot be used for a live feed: its
 * `return()` waits behind a pending `next()`, so a client that unsubscribes while no
 * change is coming would never release its listener. Here `return()` settles the
 * pending `next()` at once and runs `onClose` exactly once, whoever ends the queue.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private readonly waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void }> = [];
  private failure: { error: unknown } | null = null;
  private ended = false;
  private closed = false;

  constructor(private readonly onClose: () => void) {}

  push(value: T): void {
    if (this.ended) return;
    const taker = this.waiting.shift();
    if (taker) taker.resolve({ value, done: false });
    else this.values.push(value);
  }

  /** No more values: what is queued is still delivered, then the iterator is done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.close();
    for (const taker of this.waiting.splice(0)) taker.resolve({ value: undefined, done: true });
  }

  /** Delivers what is queued, then rejects the next read with `error`. */
  fail(error: unknown): void {
    if (this.ended) return;
    // Readers wait only when nothing is queued: they get the error now, else the next read does.
    const takers = this.waiting.splice(0);
    if (takers.length > 0) for (const taker of takers) taker.reject(error);
    else this.failure = { error };
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.values.length > 0) return Promise.resolve({ value: this.values.shift() as T, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** The consumer stops early (unsubscribe, disconnect): drop what is queued and release. */
  return(): Promise<IteratorResult<T>> {
    this.values.length = 0;
    this.failure = null;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
