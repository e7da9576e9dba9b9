/**
 * Runs async jobs one at a time, in order. The supervisor's status writes (output
 * heartbeats, session ids, run ends) all take the same lock; queueing them here avoids
 * the process contending with itself for its own lock directory.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
