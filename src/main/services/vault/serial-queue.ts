/**
 * Runs async tasks one after another in the order they were queued. A failed task rejects only its own
 * caller; the queue carries on with the next one.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task` behind everything queued before it and settles with its outcome. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(() => task());
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Settles once everything queued so far has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
