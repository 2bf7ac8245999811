/**
 * What the preload puts into the page as `window.kassa`: the app API contract's calls by name
 * and its event stream, and nothing else — no ipcRenderer, no channel names, no Node objects.
 * The shape is the contract's `AppTransport`, so the renderer wraps it with `createAppClient`
 * and gets the same typed, validated client it gets over the headless host's WebSocket.
 *
 *   window.kassa.call('payments.request', { amount: 1290 })   // resolves with the result,
 *                                                             // rejects with { code, message }
 *   const stop = window.kassa.onEvent((event) => …)           // contract events for this window
 */
import type { IpcRenderer } from 'electron';
import { APP_METHODS, type AppErrorValue } from '../contract/app-api.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.ts';

export interface KassaBridge {
  call(method: string, params?: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
}

const METHODS = new Set<string>(APP_METHODS);

function failure(code: AppErrorValue['code'], message: string): AppErrorValue {
  return { code, message };
}

function isOutcome(value: unknown): value is { ok: true; result: unknown } | { ok: false; error: AppErrorValue } {
  if (typeof value !== 'object' || value === null) return false;
  const outcome = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (outcome.ok === true) return 'result' in outcome;
  return outcome.ok === false && typeof outcome.error?.code === 'string' && typeof outcome.error.message === 'string';
}

export function kassaBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on'>): KassaBridge {
  const listeners = new Set<(event: unknown) => void>();
  // One IPC listener for all subscribers; only the payload is passed on — the IpcRendererEvent
  // carries `sender` (ipcRenderer itself) and must never reach the page.
  ipc.on(EVENT_CHANNEL, (_event, payload: unknown) => {
    for (const listener of [...listeners]) {
      try {
        listener(payload);
      } catch (error) {
        console.error('a kassa event listener failed', error);
      }
    }
  });

  return {
    async call(method, params) {
      // Only the contract's calls cross: a name outside it is refused here, before any IPC.
      if (typeof method !== 'string' || !METHODS.has(method)) throw failure('BAD_REQUEST', `no such call: ${String(method).slice(0, 80)}`);
      let outcome: unknown;
      try {
        outcome = await ipc.invoke(CALL_CHANNEL, method, params ?? {});
      } catch (error) {
        // The parameters could not be cloned (a function, a DOM node), or the host failed outright.
        const message = error instanceof Error ? error.message : String(error);
        throw failure(/could not be cloned/i.test(message) ? 'BAD_REQUEST' : 'INTERNAL', `${method}: ${message}`);
      }
      if (!isOutcome(outcome)) throw failure('INTERNAL', `${method}: the host answered outside the bridge's shape`);
      if (outcome.ok) return outcome.result;
      throw failure(outcome.error.code, outcome.error.message);
    },
    onEvent(listener) {
      if (typeof listener !== 'function') throw failure('BAD_REQUEST', 'onEvent takes a function');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
