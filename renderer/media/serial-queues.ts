/**
 * Runs tasks with the same key one after another, in the order they came;
 * tasks of different keys run side by side. The media host keys requests by
 * peer connection, so one call's offer/answer steps never interleave, while
 * another call (or a device request) does not wait for them.
 */
export class SerialQueues {
  private readonly tails = new Map<string, Promise<void>>();

  /** Queues `task` behind the key's earlier tasks. The task must not reject (it would stop the queue). */
  push(key: string, task: () => Promise<void>): void {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(task);
    this.tails.set(key, next);
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Keys with a task queued or running (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
