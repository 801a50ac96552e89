import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../services/api';

/** Loading state of one HTTP read, with a reload function. */
export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  /** Replaces the loaded data locally (after a write that returned it). */
  set: (data: T) => void;
}

/** Runs `load` on mount and whenever `key` changes. */
export function useAsync<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the inputs of `load`.
  useEffect(() => {
    let live = true;
    setLoading(true);
    load()
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live) setError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', String(e)));
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, set: setData };
}

/** The i18n key of an HTTP error's code. */
export const apiErrorKey = (error: unknown): `error.${string}` =>
  `error.${error instanceof ApiError ? error.code : 'INTERNAL'}`;
