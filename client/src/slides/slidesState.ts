import type { DocumentFailure, SlidePointer } from '@giaoban/shared';
import { createStore } from '../state/store';

/** An upload in flight or just refused (the XHR lives in the service). */
export interface UploadState {
  name: string;
  loaded: number;
  total: number;
  /** Why it was refused: a document failure, or the link/permission. */
  error: DocumentFailure | 'forbidden' | 'network' | null;
}

/** Volatile slides state of this page: serialisable, kept out of the meeting snapshot. */
export interface SlidesLocalState {
  /** The presenter's latest pointer, as the hub relayed it. */
  pointer: SlidePointer | null;
  upload: UploadState | null;
  /** This device's own screen share. */
  screen: 'off' | 'starting' | 'on';
  /** The slides area fills the window. */
  expanded: boolean;
}

/** The page's slides store. */
export const slidesStore = createStore<SlidesLocalState>({
  pointer: null,
  upload: null,
  screen: 'off',
  expanded: false,
});
