import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, networkError } from '../api/client';

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: ApiError | null;
  readonly loading: boolean;
  reload(): void;
}

const asApiError = (error: unknown): ApiError => (error instanceof ApiError ? error : networkError(error));

/** Loads once per change of `deps`; an answer for stale deps is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: null, error: asApiError(error), loading: false }),
    );

    return () => {
      live = false;
    };
    // The caller names what the load depends on (the load function itself is a new closure every render).
  }, [...deps, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);

  return { ...state, reload };
}

/** Pure, for tests: the wait before poll number `failures + 1`, doubling per failure up to `maxMs`. */
export function pollDelay(baseMs: number, failures: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures, 16));
}

/**
 * Polls `load` every `everyMs` while the tab is visible; each failure doubles the wait (up to a minute) and a
 * success resets it, so a struggling gateway is not hammered. The last good data stays on screen through
 * errors, so the page does not jump.
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [nextInMs, setNextInMs] = useState(everyMs);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      if (document.visibilityState === 'hidden') {
        timer = setTimeout(() => void tick(), everyMs);

        return;
      }
      try {
        const value = await loadRef.current();
        if (!live) {
          return;
        }
        failures = 0;
        setData(value);
        setError(null);
        setUpdatedAt(new Date());
      } catch (caught) {
        if (!live) {
          return;
        }
        failures += 1;
        setError(asApiError(caught));
      }
      const wait = pollDelay(everyMs, failures, 60_000);
      setNextInMs(wait);
      timer = setTimeout(() => void tick(), wait);
    };
    void tick();

    return () => {
      live = false;
      clearTimeout(timer);
    };
    // The caller names what the load depends on (the load function itself is a new closure every render).
  }, [everyMs, ...deps]);

  return { data, error, updatedAt, nextInMs };
}

/** Runs an action (a form's submit), keeping its error or result for display. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<T | null>(null);
  const run = useCallback(
    async (...args: A): Promise<T | null> => {
      setBusy(true);
      setError(null);
      try {
        const value = await action(...args);
        setResult(value);

        return value;
      } catch (caught) {
        setError(asApiError(caught));

        return null;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );

  return { run, busy, error, result, clear: () => setError(null) };
}
