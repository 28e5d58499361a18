/**
 * A task that runs on a timer, again and again, never overlapping itself: each run schedules the
 * next once it has finished, after the delay `delayAfter` gives for its result. The timer does not
 * keep the process alive, and {@link stop} waits for a run in progress. `run` handles its own
 * errors (log and return a result): a rejection would end the loop.
 */
export class RepeatingTask<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<T>,
    private readonly delayAfter: (result: T) => number,
  ) {}

  /** Whether a run is in progress. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The next run in `delayMs` (replacing a pending one); nothing once stopped. */
  schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run().then((result) => {
        this.running = undefined;
        this.schedule(this.delayAfter(result));
      });
    }, delayMs);
    this.timer.unref();
  }

  /** No further runs; resolves when the one in progress, if any, has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
