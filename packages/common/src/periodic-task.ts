/**
 * Background work that runs every `intervalMs` (and whenever kicked), never twice at once
 * in this process: a run still going when the next tick comes is not doubled. A failed
 * run is reported and the next tick tries again. stop() ends the ticks and waits for the
 * run under way. The sweepers (outbox, reservation expiry, interrupted captures) run on it.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private ended = false;

  constructor(
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** True once stop() was called: long runs check it between batches. */
  get stopped(): boolean {
    return this.ended;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
  }

  /** Runs the work now unless a run is under way (it also runs on its interval). */
  kick(): void {
    if (this.ended || this.running) return;
    this.running = this.work()
      .then(() => undefined, this.failed)
      .finally(() => {
        this.running = null;
      });
  }

  async stop(): Promise<void> {
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
