/**
 * A collector of clean-up steps, run last-in first-out like DisposableStack (which Node 20 lacks). Every step
 * runs even when an earlier one fails; the failures are thrown together afterwards.
 */
type Step = () => unknown;

export class Teardown implements AsyncDisposable {
  #steps: Step[] = [];

  /** Registers `step` to run at teardown. */
  defer(step: Step): void {
    this.#steps.push(step);
  }

  /** Registers a disposable resource (async or sync) and returns it, for `const server = teardown.use(...)`. */
  use<T extends AsyncDisposable | Disposable>(resource: T): T {
    this.defer(() => (Symbol.asyncDispose in resource ? resource[Symbol.asyncDispose]() : resource[Symbol.dispose]()));
    return resource;
  }

  /** Runs the registered steps in reverse order, once each; the collector can be reused afterwards. */
  async run(): Promise<void> {
    const steps = this.#steps.splice(0).reverse();
    const errors: unknown[] = [];
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} teardown steps failed`);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.run();
  }
}
