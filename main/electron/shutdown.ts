/**
 * Quitting in order. Whatever starts the quit — the last window closed, the menu, Ctrl-C, a
 * service manager's SIGTERM — Electron's quit is held back until the host has shut down:
 * devices stop (no new scans), the payment in flight finishes, settlement stops between
 * batches, the VSE closes its database, the data folder's lock is freed. Only then does the
 * app quit. "Paid" means committed, so a payment is never cut off half-way by a quit.
 */
import type { App } from 'electron';

export interface ShutdownOptions {
  /** Everything the shell must close, in order (the shell's close: IPC, then the app host). */
  close: () => Promise<void>;
  /** Told when closing failed; the app then exits with code 1. */
  onError?: (error: unknown) => void;
  /** Where SIGINT and SIGTERM arrive (the process); they start the same orderly quit. */
  signals?: Pick<NodeJS.Process, 'on'>;
}

export interface Shutdown {
  /**
   * Starts the orderly quit (as app.quit() would); resolves when the host has closed. With an
   * exit status (the kiosk's exit, a crash restart for systemd), the app exits with it once
   * closed instead of quitting with 0.
   */
  quit(exitStatus?: number): Promise<void>;
  readonly state: 'running' | 'closing' | 'closed';
}

type QuittingApp = Pick<App, 'on' | 'quit' | 'exit'>;

export function installOrderlyShutdown(app: QuittingApp, options: ShutdownOptions): Shutdown {
  let state: Shutdown['state'] = 'running';
  let closing: Promise<void> | undefined;

  let exitStatus: number | undefined;

  const close = (status?: number): Promise<void> => {
    exitStatus ??= status;
    closing ??= (async () => {
      state = 'closing';
      try {
        await options.close();
        state = 'closed';
        // before-quit fires again for this quit and now lets it through.
        if (exitStatus === undefined) app.quit();
        else app.exit(exitStatus);
      } catch (error) {
        state = 'closed';
        options.onError?.(error);
        app.exit(1);
      }
    })();
    return closing;
  };

  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    void close();
  });
  // On every platform, the till's last window closing ends the app (macOS included: a terminal
  // without a window takes no payments and should not hold the VSE).
  app.on('window-all-closed', () => void close());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) options.signals?.on(signal, () => void close());

  return {
    quit: close,
    get state() {
      return state;
    },
  };
}
