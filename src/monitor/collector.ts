/**
 * A collector runs one job (probe the registries, read the store, …) now and then every interval,
 * in the background: a scrape never waits on the network, and a slow or failing job cannot take
 * the exporter down. Runs never overlap; `refresh()` joins the run in flight or starts one.
 */
import { performance } from 'node:perf_hooks';
import type { CollectorStatus } from './metrics.js';

export interface CollectorRun<T> {
  value?: T;
  ok: boolean;
  error?: string;
  durationMs?: number;
  lastSuccessAt?: Date;
}

export class Collector<T> {
  #state: CollectorRun<T> = { ok: false };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #controller = new AbortController();

  constructor(
    readonly name: string,
    /** Returns the new value; may also return a value on partial failure (it decides). */
    private readonly job: (signal: AbortSignal) => Promise<T>,
    readonly intervalMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** First run now, then every interval. */
  start(): void {
    if (this.#timer) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.intervalMs);
    // The HTTP server keeps the process alive, not the probes.
    this.#timer.unref();
  }

  refresh(): Promise<void> {
    if (this.#controller.signal.aborted) return Promise.resolve();
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    const start = performance.now();
    try {
      const value = await this.job(this.#controller.signal);
      this.#state = {
        value,
        ok: true,
        durationMs: performance.now() - start,
        lastSuccessAt: this.now(),
      };
    } catch (err) {
      // The last good value stays: a failing run is reported, not a blank dashboard.
      this.#state = {
        ...this.#state,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        durationMs: performance.now() - start,
      };
    }
  }

  get state(): Readonly<CollectorRun<T>> {
    return this.#state;
  }

  status(): CollectorStatus {
    const s = this.#state;
    return {
      name: this.name,
      ok: s.ok,
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
      ...(s.lastSuccessAt ? { lastSuccessAt: s.lastSuccessAt } : {}),
    };
  }

  /** Stops the timer and aborts the run in flight; resolves when it has ended. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#controller.abort();
    await this.#running?.catch(() => undefined);
  }
}
