/** Promises a test settles by hand: events happen in the order the test says, with no timer. */

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** A restore start() whose calls the test finishes by hand, one deferred per call; `entered(n)` resolves once n calls were made. */
export function gatedStart() {
  const calls: Array<Deferred<{ taskId: string }>> = [];
  const waiters: Array<{ count: number; done: () => void }> = [];
  const start = jest.fn(() => {
    const call = deferred<{ taskId: string }>();
    calls.push(call);
    for (const waiter of waiters) if (calls.length >= waiter.count) waiter.done();
    return call.promise;
  });
  const entered = (count: number): Promise<void> =>
    calls.length >= count ? Promise.resolve() : new Promise((done) => waiters.push({ count, done }));
  return { start, calls, entered };
}
