import type { StoredEvent } from '../history/types.js';

/** Carries stored events to every hub node (including the one that published). */
export interface Bus {
  publish(event: StoredEvent): Promise<void>;
  /** Returns a function that stops the handler. */
  subscribe(handler: (event: StoredEvent) => void): () => void;
  close(): Promise<void>;
  /** Whether the engine behind it is reachable now (readiness). Absent: always. */
  isConnected?(): boolean;
}
