/**
 * The kiosk's decisions (`kassa-app --kiosk`, docs/kiosk.md), kept out of Electron so they are
 * tested under Node: which keys the person at the counter may not press, when the till's window
 * may close, and what a crash leads to. The shell (shell.ts) asks and does what it is told.
 *
 * - No exit without the manager PIN: the till's window refuses to close, and the keys that
 *   close, reload, leave fullscreen or open developer tools do nothing, until the operator role
 *   (unlocked with the manager PIN through the app API) calls `app.exitKiosk`. A service
 *   manager's stop (SIGTERM) still quits in order: that is the machine's owner, not the counter.
 * - The exit ends the process with KIOSK_EXIT_STATUS, which the systemd unit lists in
 *   RestartPreventExitStatus=, so Restart=always does not bring the till straight back.
 * - Restart on crash: a renderer that dies is reloaded; a renderer or GPU process dying again
 *   and again (CRASH_LIMIT within CRASH_WINDOW_MS) restarts the whole app — by exiting with
 *   KIOSK_CRASH_STATUS under a service manager (systemd restarts it), by relaunching itself
 *   otherwise (an autostart entry has nobody to restart it).
 */

/** The app's exit status when the manager left the kiosk (build/kiosk/*.service: RestartPreventExitStatus=). */
export const KIOSK_EXIT_STATUS = 10;
/** The app's exit status when it gives up after repeated crashes, for a service manager to restart it. */
export const KIOSK_CRASH_STATUS = 70;
export const CRASH_LIMIT = 3;
export const CRASH_WINDOW_MS = 5 * 60_000;

/** The part of Electron's `before-input-event` Input the decision needs. */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
}

/**
 * Why a key press is swallowed in kiosk mode, or undefined to let it through. Typing (amounts,
 * a keyboard-wedge scanner's characters and its Enter) always passes.
 */
export function blockedKey(input: KeyInput): string | undefined {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return undefined;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const command = input.control || input.meta;
  if (key === 'F4' && input.alt) return 'closes the window';
  if (command && (key === 'w' || key === 'q' || key === 'F4')) return 'closes the window or quits';
  if (key === 'F5' || (command && key === 'r')) return 'reloads the page (a payment in progress would lose its screen)';
  if (key === 'F11' || (input.meta && input.control && key === 'f')) return 'leaves fullscreen';
  if (key === 'F12' || (command && input.shift && ['i', 'j', 'c'].includes(key)) || (input.meta && input.alt && ['i', 'j', 'c'].includes(key))) return 'opens developer tools';
  if (command && (key === 'p' || key === 'o' || key === 's' || key === 'n' || key === 't')) return 'opens a dialog or a window';
  if (input.alt && (key === 'ArrowLeft' || key === 'ArrowRight' || key === 'Home')) return 'navigates away';
  if (key === 'BrowserBack' || key === 'BrowserForward' || key === 'BrowserHome' || key === 'BrowserRefresh') return 'navigates away';
  return undefined;
}

/** Electron's RenderProcessGoneDetails / Details reasons that are not a crash. */
const NOT_A_CRASH = new Set(['clean-exit']);

export type CrashAction = { do: 'ignore' } | { do: 'reload' } | { do: 'restart-app'; how: 'exit-for-service-manager' | 'relaunch'; status: number };

export interface KioskPolicyOptions {
  now?: () => number;
  /** The app's environment: systemd sets INVOCATION_ID for every service it starts. */
  env?: NodeJS.ProcessEnv;
}

export class KioskPolicy {
  private readonly now: () => number;
  private readonly underServiceManager: boolean;
  private crashes: number[] = [];
  private exitAuthorised = false;

  constructor(options: KioskPolicyOptions = {}) {
    this.now = options.now ?? Date.now;
    const env = options.env ?? {};
    this.underServiceManager = env.INVOCATION_ID !== undefined && env.INVOCATION_ID !== '';
  }

  /** The operator role asked to leave the kiosk (app.exitKiosk): the window may close now. */
  authoriseExit(): void {
    this.exitAuthorised = true;
  }

  /** Whether the till's window may close: after an authorised exit, or while the app shuts down (a service stop). */
  mayCloseWindow(shutdown: 'running' | 'closing' | 'closed'): boolean {
    return this.exitAuthorised || shutdown !== 'running';
  }

  /** The status the app exits with once it has shut down in order after an authorised exit. */
  get exitStatus(): number | undefined {
    return this.exitAuthorised ? KIOSK_EXIT_STATUS : undefined;
  }

  /** A renderer went away: reload it, or restart the app when it keeps dying. */
  rendererGone(reason: string): CrashAction {
    if (NOT_A_CRASH.has(reason) || this.exitAuthorised) return { do: 'ignore' };
    return this.count() ? this.restart() : { do: 'reload' };
  }

  /**
   * A child process went away. The VSE (a utility process) is the app host's to restart, with
   * its own policy; Chromium restarts a crashed GPU process itself, but a GPU that keeps
   * crashing leaves a blank screen, so it counts towards restarting the app.
   */
  childGone(type: string, reason: string): CrashAction {
    if (NOT_A_CRASH.has(reason) || this.exitAuthorised || type !== 'GPU') return { do: 'ignore' };
    return this.count() ? this.restart() : { do: 'ignore' };
  }

  /** Records a crash; true when CRASH_LIMIT crashes fell within CRASH_WINDOW_MS. */
  private count(): boolean {
    const now = this.now();
    this.crashes = [...this.crashes.filter((at) => now - at < CRASH_WINDOW_MS), now];
    return this.crashes.length >= CRASH_LIMIT;
  }

  private restart(): CrashAction {
    this.crashes = [];
    return this.underServiceManager ? { do: 'restart-app', how: 'exit-for-service-manager', status: KIOSK_CRASH_STATUS } : { do: 'restart-app', how: 'relaunch', status: 0 };
  }
}
