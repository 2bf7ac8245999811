/**
 * A typed event source. Unlike node:events, an `error` event without a listener is not
 * thrown: drivers report errors as values and must never take their process down with one.
 */

export type EventMap = Record<string, unknown[]>;
export type Listener<A extends unknown[]> = (...args: A) => void;

export interface EventSource<E extends EventMap> {
  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void;
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void;
  /** Type-level only (never set): lets helpers name a source's events. */
  readonly '~events'?: E;
}

/** Any source of the events `E`, for helpers generic over sources (inference goes through `~events`). */
export type SourceOf<E extends EventMap> = { readonly '~events'?: E };

export class Emitter<E extends EventMap> implements EventSource<E> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();
  declare readonly '~events'?: E;

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) (listener as Listener<E[K]>)(...args);
  }
}
