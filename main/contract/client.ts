/**
 * The renderer's way to the host: one client over any transport that carries the contract's
 * calls and events (the headless host's WebSocket, the Electron preload bridge). It validates
 * what arrives as strictly as the host validates what it receives: a host that answers
 * outside the contract is an error here, not a surprise in a component.
 */
import { AppError, appErrorValue, parseAppEvent, parseAppParams, parseAppResult, type AppEvent, type AppMethod, type AppParams, type AppResult } from './app-api.ts';

/** What a transport does: send one call and resolve with its raw result, and deliver raw events. */
export interface AppTransport {
  call(method: AppMethod, params: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
}

export interface AppClient {
  call<M extends AppMethod>(method: M, params: AppParams<M>): Promise<AppResult<M>>;
  /** Subscribes to the host's events; returns the function that unsubscribes. */
  onEvent(listener: (event: AppEvent) => void): () => void;
}

/** A transport's rejection as an AppError (a typed error value when the host sent one). */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const value = appErrorValue.safeParse((error as { error?: unknown } | null)?.error ?? error);
  if (value.success) return new AppError(value.data.code, value.data.message);
  return new AppError('INTERNAL', error instanceof Error ? error.message : String(error));
}

export function createAppClient(transport: AppTransport): AppClient {
  return {
    async call(method, params) {
      // The host checks again; checking here too gives the caller the field-level message at once.
      parseAppParams(method, params);
      let raw: unknown;
      try {
        raw = await transport.call(method, params);
      } catch (error) {
        throw asAppError(error);
      }
      return parseAppResult(method, raw);
    },
    onEvent(listener) {
      return transport.onEvent((raw) => {
        let event: AppEvent;
        try {
          event = parseAppEvent(raw);
        } catch {
          return; // an event this client does not understand: a newer host; nothing to show
        }
        listener(event);
      });
    },
  };
}
