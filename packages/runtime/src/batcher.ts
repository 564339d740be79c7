export interface BatcherOptions {
  /** Most items one batch takes. */
  readonly maxBatch: number;
  /** Batches run at once; items submitted meanwhile wait and go out together in the next one. */
  readonly maxConcurrent: number;
}

interface Waiting<I, O> {
  readonly item: I;
  resolve(output: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while earlier batches run are gathered and run as one batch, so under load one
 * transaction (its round trips and its commit) serves many callers, while an item submitted alone runs at once.
 * `run` answers each item in order; if it throws, every item of the batch fails with that error.
 */
export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Starts batches on the next turn of the event loop, so items submitted in this one go together. */
  private schedule(): void {
    if (this.scheduled || this.running >= this.options.maxConcurrent || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.running < this.options.maxConcurrent && this.waiting.length > 0) {
        this.start(this.waiting.splice(0, this.options.maxBatch));
      }
    });
  }

  private start(batch: Waiting<I, O>[]): void {
    this.running += 1;
    this.run(batch.map((waiting) => waiting.item))
      .then(
        (outputs) => batch.forEach((waiting, index) => waiting.resolve(outputs[index] as O)),
        (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
      )
      .finally(() => {
        this.running -= 1;
        this.schedule();
      });
  }
}
