/**
 * Live MediaStreams, kept out of the store: remote ones by consumer id, the local preview
 * under LOCAL_CAMERA. Components look streams up by the ids the store holds.
 */
export const LOCAL_CAMERA = 'local:camera';

class StreamRegistry {
  private readonly streams = new Map<string, MediaStream>();
  private readonly listeners = new Set<() => void>();

  /** The stream registered under `key`, or null. */
  get(key: string | null): MediaStream | null {
    return key ? (this.streams.get(key) ?? null) : null;
  }

  /** Registers (or replaces) a stream. */
  set(key: string, stream: MediaStream): void {
    this.streams.set(key, stream);
    this.emit();
  }

  /** Forgets a stream (its tracks are owned and stopped by whoever made them). */
  delete(key: string): void {
    if (this.streams.delete(key)) this.emit();
  }

  /** Forgets every remote stream, keeping the local preview. */
  clearRemote(): void {
    for (const key of [...this.streams.keys()]) if (key !== LOCAL_CAMERA) this.streams.delete(key);
    this.emit();
  }

  /** Calls `listener` whenever a stream is added or removed. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** The page's stream registry. */
export const streams = new StreamRegistry();
