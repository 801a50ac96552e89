import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { useStore } from '../state/store';
import { type WorkspaceState, workspace, workspaceStore } from './workspaceService';

/** Reads part of the workspace state; re-renders when it changes. */
export function useWorkspace<S>(selector: (state: WorkspaceState) => S): S {
  return useStore(workspaceStore, selector);
}

/** The open document (re-read when the service opens a new one), or null before it is ready. */
export function useDoc(): Y.Doc | null {
  useWorkspace((s) => s.generation);
  return useWorkspace((s) => s.ready) ? workspace.doc : null;
}

/** Any shared type: all the hook needs is deep observation. */
interface SharedType {
  observeDeep(f: () => void): void;
  unobserveDeep(f: () => void): void;
}

/**
 * A value read from a shared type, recomputed whenever anything inside it changes (local or remote).
 * `read` must return a fresh value each call; the component re-renders on every change.
 */
export function useShared<T>(type: SharedType | null, read: () => T): T {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!type) return;
    const bump = () => setTick((n) => n + 1);
    type.observeDeep(bump);
    bump();
    return () => type.unobserveDeep(bump);
  }, [type]);
  return read();
}
