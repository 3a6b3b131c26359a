export type SemaphoreStats = { size: number; running: number; waiting: number; started: number; mostRunning: number; mostWaiting: number };

/** At most `size` tasks run at once; the others wait in order of arrival. */
export class Semaphore {
  #running = 0;
  #started = 0;
  #mostRunning = 0;
  #mostWaiting = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.size) {
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        this.#mostWaiting = Math.max(this.#mostWaiting, this.#waiting.length);
      });
    } else {
      this.#running++;
    }
    this.#started++;
    this.#mostRunning = Math.max(this.#mostRunning, this.#running);
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next task, so a newcomer cannot take it in between.
      if (next) next();
      else this.#running--;
    }
  }

  stats(): SemaphoreStats {
    return {
      size: this.size,
      running: this.#running,
      waiting: this.#waiting.length,
      started: this.#started,
      mostRunning: this.#mostRunning,
      mostWaiting: this.#mostWaiting,
    };
  }
}
