/**
 * Waiting in tests that drive real ports and processes: for a condition or an event, with
 * generous deadlines (the machine is shared and loaded), never a fixed sleep as an assertion.
 */
import type { EventMap, EventSource, SourceOf } from '../../base/common/emitter.ts';

export const PATIENCE_MS = 15_000;

/** Polls `condition` until it holds; fails with `what` (read at the timeout) after `timeoutMs`. */
export async function waitUntil(what: string | (() => string), condition: () => boolean | Promise<boolean>, timeoutMs = PATIENCE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Records every emission of `event` from `source`. */
export function record<E extends EventMap, K extends keyof E>(source: SourceOf<E>, event: K): E[K][0][] {
  const seen: E[K][0][] = [];
  (source as EventSource<E>).on(event, (...args) => void seen.push(args[0]));
  return seen;
}

/** Waits until `list` holds at least `count` entries and returns them. */
export async function waitForCount<T>(what: string, list: T[], count: number, timeoutMs = PATIENCE_MS): Promise<T[]> {
  await waitUntil(() => `${count} ${what} (have ${list.length})`, () => list.length >= count, timeoutMs);
  return list;
}

/** Resolves with the first `event` whose arguments satisfy `accept`, or rejects after `timeoutMs`. */
export function nextEvent<E extends EventMap, K extends keyof E>(
  source: SourceOf<E>,
  event: K,
  timeoutMs: number,
  accept: (...args: E[K]) => boolean = () => true,
): Promise<E[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = (source as EventSource<E>).on(event, (...args) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      off();
      resolve(args);
    });
  });
}
