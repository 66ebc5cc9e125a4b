/**
 * @platformatic/kafka 2.x declares Node ≥ 22.22 and calls Promise.withResolvers (Node 22+); this project
 * runs on Node 20. The bench adds the one missing call so that the client can be measured at all; the bus
 * itself does not depend on it.
 */
interface WithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseWith = Promise as unknown as { withResolvers?: <T>() => WithResolvers<T> };
PromiseWith.withResolvers ??= <T>(): WithResolvers<T> => {
  let resolve!: WithResolvers<T>['resolve'];
  let reject!: WithResolvers<T>['reject'];
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });

  return { promise, resolve, reject };
};
