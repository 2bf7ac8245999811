/**
 * The app API over Electron IPC. One invoke channel carries contract calls by name; one push
 * channel carries contract events. Each window the factory made gets its own app API session
 * (the till a cashier session, a customer display a display session), so the role — and with
 * it every call the window may make and every event it may hear — is decided in the main
 * process by which window is asking, never by anything the page says.
 *
 * Every call's sender is checked before anything reaches a session (as VS Code's
 * validatedIpcMain does): the webContents must be one the factory made and attached, the
 * frame must be that window's top frame, and the frame must show a page of app://kassa. A
 * call that fails the check is answered FORBIDDEN and goes no further.
 */
import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import type { Role } from '../contract/app-api.ts';
import type { CallOutcome, Session } from '../host/app-api-server.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, isAppUrl } from './channels.ts';
import type { MadeWindow } from './window-factory.ts';

/** Where sessions come from: the AppApiServer. */
export interface SessionSource {
  openSession(role: Role): Session;
}

/** The parts of an invoke event the check reads. */
export type CallEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

type Frame = Pick<WebFrameMain, 'url' | 'origin' | 'parent' | 'processId' | 'routingId'>;

interface Attached {
  readonly made: MadeWindow;
  readonly session: Session;
  readonly unsubscribe: () => void;
}

export interface IpcBridgeOptions {
  /** Told about every refused sender (for the log): why, and which webContents. */
  onRefused?: (reason: string, contentsId: number | undefined) => void;
}

export const REFUSED: CallOutcome = { ok: false, error: { code: 'FORBIDDEN', message: 'this frame may not call the app API' } };

export class IpcBridge {
  private readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  private readonly sessions: SessionSource;
  private readonly options: IpcBridgeOptions;
  private readonly attached = new Map<number, Attached>();
  private open = true;

  constructor(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, sessions: SessionSource, options: IpcBridgeOptions = {}) {
    this.ipcMain = ipcMain;
    this.sessions = sessions;
    this.options = options;
    ipcMain.handle(CALL_CHANNEL, (event, method: unknown, params: unknown) => this.call(event, method, params));
  }

  /** Gives a window its session, and the events that session may hear. */
  attach(made: MadeWindow, role: Role): Session {
    if (this.attached.has(made.contentsId)) throw new Error(`window ${made.contentsId} already has a session`);
    const session = this.sessions.openSession(role);
    const contents = made.window.webContents;
    const unsubscribe = session.onEvent((event) => {
      if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
    });
    this.attached.set(made.contentsId, { made, session, unsubscribe });
    made.window.on('closed', () => this.detach(made.contentsId));
    return session;
  }

  private detach(contentsId: number): void {
    const attached = this.attached.get(contentsId);
    if (attached === undefined) return;
    this.attached.delete(contentsId);
    attached.unsubscribe();
    attached.session.close();
  }

  /** Why a call must be refused, or undefined when its sender is the top frame of an attached window at app://kassa. */
  refusal(event: CallEvent): string | undefined {
    const attached = this.attached.get(event.sender.id);
    if (attached === undefined) return 'the sender is not a window of this app';
    const frame: Frame | null = event.senderFrame;
    if (frame === null) return 'the sending frame is gone (navigated or destroyed)';
    if (frame.parent !== null) return 'the sender is a subframe';
    const top: Frame = attached.made.window.webContents.mainFrame;
    if (frame.processId !== top.processId || frame.routingId !== top.routingId) return 'the sender is not the window\'s top frame';
    if (!isAppUrl(frame.url) || !isAppUrl(frame.origin)) return `the sender shows ${JSON.stringify(frame.url.slice(0, 100))}, not a page of the app`;
    return undefined;
  }

  private async call(event: CallEvent, method: unknown, params: unknown): Promise<CallOutcome> {
    if (!this.open) return { ok: false, error: { code: 'VSE_UNAVAILABLE', message: 'the terminal is shutting down' } };
    const refusal = this.refusal(event);
    if (refusal !== undefined) {
      this.options.onRefused?.(refusal, event.sender.id);
      return REFUSED;
    }
    const { session } = this.attached.get(event.sender.id)!;
    // The session validates the method name and parameters against the contract; it never throws.
    return session.call(typeof method === 'string' ? method : String(method), params);
  }

  /** Stops taking calls (shutdown); calls already running finish. */
  stopCalls(): void {
    this.open = false;
  }

  /** Closes every session and removes the handler. */
  close(): void {
    this.open = false;
    for (const contentsId of [...this.attached.keys()]) this.detach(contentsId);
    this.ipcMain.removeHandler(CALL_CHANNEL);
  }
}
