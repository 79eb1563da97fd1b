// Bounded waits for audio still on its way: the end of a recorded Space waits (at most a fixed time) until every
// live track's audio reached the end, woken by each placed packet rather than polled. Pure apart from one timer.

export class AudioWaiters {
  private readonly waiting = new Set<() => void>();

  /** Resolves true once `ready()` holds (checked now and on every wake), or false after `ms`. */
  async until(ready: () => boolean, ms: number): Promise<boolean> {
    if (ready()) return true;
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.waiting.delete(check);
        resolve(value);
      };
      const check = () => {
        if (ready()) done(true);
      };
      const timer = setTimeout(() => done(false), ms);
      this.waiting.add(check);
    });
  }

  /** Some audio was placed: every waiting `until` looks again. */
  wake(): void {
    for (const check of [...this.waiting]) check();
  }
}
