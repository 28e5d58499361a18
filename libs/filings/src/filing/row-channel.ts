/**
 * A one-producer, one-consumer queue of rows that a renderer reads as an async iterable. The
 * producer pushes a batch, then waits ({@link waitBelow}) until the consumer has taken enough of it:
 * with one channel per document, one pass over the plaintiffs feeds several renderers at once and
 * memory stays at about a batch per document. When the consumer stops early (it failed), the
 * channel is abandoned: pushes are dropped and waits end, so the producer never hangs.
 */
export class RowChannel<T> implements AsyncIterable<T> {
  private buf: T[] = [];
  private head = 0;
  private closed = false;
  private abandoned = false;
  private failure: Error | undefined;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  /** Rows pushed but not yet taken. */
  get pending(): number {
    return this.buf.length - this.head;
  }

  push(rows: readonly T[]): void {
    if (this.abandoned || rows.length === 0) return;
    if (this.closed) throw new Error('push after close');
    for (const r of rows) this.buf.push(r);
    this.wake('reader');
  }

  close(): void {
    this.closed = true;
    this.wake('reader');
  }

  /** Ends the stream with an error: the consumer's next read throws it (its document is not kept). */
  fail(err: Error): void {
    this.failure ??= err;
    this.closed = true;
    this.wake('reader');
  }

  /** Resolves once at most `limit` rows are pending (or the consumer is gone). */
  async waitBelow(limit: number): Promise<void> {
    while (!this.abandoned && this.pending > limit) {
      await new Promise<void>((resolve) => {
        this.wakeWriter = resolve;
      });
    }
  }

  private wake(who: 'reader' | 'writer'): void {
    const fn = who === 'reader' ? this.wakeReader : this.wakeWriter;
    if (who === 'reader') this.wakeReader = undefined;
    else this.wakeWriter = undefined;
    fn?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.failure) throw this.failure;
        if (this.head < this.buf.length) {
          const row = this.buf[this.head++];
          if (this.head >= 1024 && this.head * 2 >= this.buf.length) {
            this.buf = this.buf.slice(this.head);
            this.head = 0;
          }
          this.wake('writer');
          yield row;
          continue;
        }
        if (this.closed) return;
        this.wake('writer');
        await new Promise<void>((resolve) => {
          this.wakeReader = resolve;
        });
      }
    } finally {
      this.abandoned = true; // no consumer any more: later pushes are dropped
      this.buf = [];
      this.head = 0;
      this.wake('writer');
    }
  }
}
