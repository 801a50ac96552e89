import { useSyncExternalStore } from 'react';

/** A minimal observable container of serialisable state, read by components with `useStore`. */
export interface Store<T> {
  /** The current state (never mutate it; `set` a new one). */
  get(): T;
  /** Replaces the state with a patch or with the result of an updater; notifies subscribers if it changed. */
  set(update: Partial<T> | ((state: T) => T)): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** Creates a store holding `initial`. */
export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(update) {
      const next = typeof update === 'function' ? update(state) : { ...state, ...update };
      if (next === state) return;
      state = next;
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch (error) {
          console.error('store.set() | listener failed', error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Subscribes a component to the part of a store `selector` picks (keep the result referentially stable). */
export function useStore<T extends object, S>(store: Store<T>, selector: (state: T) => S): S {
  return useSyncExternalStore(
    store.subscribe,
    () => selector(store.get()),
    () => selector(store.get()),
  );
}
