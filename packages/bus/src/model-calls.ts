/**
 * The data plane's calls into a service's model. Records reach the model as
 * plain calls, not xstate events; an error the model throws stops the actor
 * for good, as an error in an xstate action would: it is kept in the
 * service's `errors` (the run fails naming it), and later calls are ignored.
 */
export class ModelCalls {
  #failed = false;

  constructor(private readonly errors: unknown[]) {}

  /** True once a call threw: the actor has stopped. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Stops later calls, as a crash does. */
  stop(): void {
    this.#failed = true;
  }

  /** Calls `work(first, second)` unless the actor has stopped; its result, or undefined when it did not run or threw. */
  call<First, Second, Result>(work: (first: First, second: Second) => Result, first: First, second: Second): Result | undefined {
    if (this.#failed) return undefined;
    try {
      return work(first, second);
    } catch (error) {
      this.errors.push(error);
      this.#failed = true;
      return undefined;
    }
  }
}
