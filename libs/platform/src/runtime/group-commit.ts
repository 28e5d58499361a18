export interface GroupCommitOptions {
  /** Most items one call of the runner gets. */
  maxBatch: number;
  /** Most runner calls in flight at once; items arriving meanwhile wait and go together. */
  maxInFlight: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for independent requests: items submitted while the runner is busy go to it
 * together in the next call, so under load N requests cost one statement, one round trip and one
 * commit instead of N; a quiet service sends each item on its own after one event-loop turn.
 *
 * The runner returns one outcome per item, in order. When a call with several items fails, each
 * item is run again on its own, so an error reaches only the request that caused it.
 */
export class GroupCommit<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly runner: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {
    if (options.maxBatch < 1 || options.maxInFlight < 1) throw new Error('GroupCommit needs room for one item');
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a free slot (not yet handed to the runner). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // One turn of the event loop lets the requests already read from their sockets join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    let outs: O[];
    try {
      outs = await this.runner(batch.map((p) => p.item));
      if (outs.length !== batch.length) throw new Error(`runner returned ${outs.length} outcomes for ${batch.length}`);
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      await Promise.all(batch.map((p) => this.run([p])));
      return;
    }
    batch.forEach((p, i) => p.resolve(outs[i]));
  }
}
