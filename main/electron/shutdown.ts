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
   * Starts the orderly quit (as app.quit() would); resolves when the host has closed. Once
   * closed the app quits, or with `finish` an exit status (the kiosk's exit, a crash restart for
   * systemd) exits with it, or a function (an update's install) ends the app instead.
   */
  quit(finish?: Finish): Promise<void>;
  readonly state: 'running' | 'closing' | 'closed';
}

/** How the app ends once the host has closed: quit (undefined), exit with a status, or a hand-over. */
export type Finish = number | (() => void) | undefined;

type QuittingApp = Pick<App, 'on' | 'quit' | 'exit'>;

export function installOrderlyShutdown(app: QuittingApp, options: ShutdownOptions): Shutdown {
  let state: Shutdown['state'] = 'running';
  let closing: Promise<void> | undefined;

  let finish: Finish;

  const close = (how?: Finish): Promise<void> => {
    finish ??= how;
    closing ??= (async () => {
      state = 'closing';
      try {
        await options.close();
        state = 'closed';
        // before-quit fires again for this quit and now lets it through.
        if (finish === undefined) app.quit();
        else if (typeof finish === 'number') app.exit(finish);
        else finish();
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
