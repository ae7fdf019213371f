/** Readiness state shared by the readiness probe and the shutdown sequence. */
export type LifecycleState = 'starting' | 'ready' | 'draining';

export class Lifecycle {
  #state: LifecycleState = 'starting';
  readonly startedAt = process.hrtime.bigint();

  get state(): LifecycleState {
    return this.#state;
  }

  get isReady(): boolean {
    return this.#state === 'ready';
  }

  get isDraining(): boolean {
    return this.#state === 'draining';
  }

  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }

  markDraining(): void {
    this.#state = 'draining';
  }

  uptimeSeconds(): number {
    return Number(process.hrtime.bigint() - this.startedAt) / 1e9;
  }
}
