/**
 * Every IPC call's sender is checked before anything reaches a session: a frame at another
 * origin, a subframe, a frame that is gone, a webContents the factory did not make (or made
 * and closed) — refused, and the session hears nothing. A call from the top frame of an
 * attached window at app://kassa reaches that window's session, and its answer comes back.
 */
import { describe, expect, it } from 'vitest';
import type { AppEvent, Role } from '../contract/app-api.ts';
import type { CallOutcome, Session } from '../host/app-api-server.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.ts';
import { IpcBridge, REFUSED, type SessionSource } from './ipc.ts';
import { FakeBrowserWindow, FakeFrame, FakeIpcMain, FakeWebContents, type FakeCallEvent } from './test/fake-electron.ts';
import { WindowFactory, type BrowserWindowConstructor } from './window-factory.ts';

class RecordingSessions implements SessionSource {
  readonly calls: { session: number; method: string; params: unknown }[] = [];
  readonly sessions: { role: Role; closed: boolean; emit: (event: AppEvent) => void }[] = [];
  openSession(role: Role): Session {
    const id = this.sessions.length;
    const listeners = new Set<(event: AppEvent) => void>();
    const record = { role, closed: false, emit: (event: AppEvent) => listeners.forEach((listener) => listener(event)) };
    this.sessions.push(record);
    return {
      id,
      baseRole: role,
      role,
      info: () => {
        throw new Error('not used');
      },
      call: async (method, params): Promise<CallOutcome> => {
        this.calls.push({ session: id, method, params });
        return { ok: true, result: { method, role, echo: params } };
      },
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: () => {
        record.closed = true;
        listeners.clear();
      },
    };
  }
}

function setUp() {
  const ipcMain = new FakeIpcMain();
  const sessions = new RecordingSessions();
  const refusals: string[] = [];
  const bridge = new IpcBridge(ipcMain as never, sessions, { onRefused: (reason) => refusals.push(reason) });
  const factory = new WindowFactory(FakeBrowserWindow as unknown as BrowserWindowConstructor, { preload: '/p.cjs', kiosk: false });
  const till = factory.create('cashier');
  const window = till.window as unknown as FakeBrowserWindow;
  void window.loadURL('app://kassa/');
  bridge.attach(till, 'cashier');
  const fromTop = (): FakeCallEvent => ({ sender: window.webContents, senderFrame: window.webContents.mainFrame });
  const call = (event: FakeCallEvent, method: unknown = 'payments.state', params: unknown = {}) => ipcMain.invoke(event, CALL_CHANNEL, method, params);
  return { ipcMain, sessions, refusals, bridge, factory, till, window, fromTop, call };
}

describe('IPC sender checks', () => {
  it('forwards a call from the till\'s top frame at app://kassa to its session, and the answer comes back', async () => {
    const { sessions, call, fromTop } = setUp();
    const answer = await call(fromTop(), 'payments.request', { amount: 1290, reference: 'R-1' });
    expect(answer).toEqual({ ok: true, result: { method: 'payments.request', role: 'cashier', echo: { amount: 1290, reference: 'R-1' } } });
    expect(sessions.calls).toEqual([{ session: 0, method: 'payments.request', params: { amount: 1290, reference: 'R-1' } }]);
  });

  it('refuses a frame at another origin, and nothing reaches the session', async () => {
    const { sessions, refusals, call, window } = setUp();
    for (const url of ['https://example.com/', 'file:///home/kassa/index.html', 'app://evil/index.html', 'about:blank', 'data:text/html,x']) {
      window.webContents.mainFrame.navigate(url);
      expect(await call({ sender: window.webContents, senderFrame: window.webContents.mainFrame })).toEqual(REFUSED);
    }
    expect(sessions.calls).toEqual([]);
    expect(refusals.every((reason) => reason.includes('not a page of the app'))).toBe(true);
  });

  it('refuses a subframe, even one showing the app', async () => {
    const { sessions, refusals, call, window } = setUp();
    const top = window.webContents.mainFrame;
    const subframe = new FakeFrame('app://kassa/index.html', { parent: top, processId: top.processId, routingId: 7 });
    expect(await call({ sender: window.webContents, senderFrame: subframe })).toEqual(REFUSED);
    // A frame claiming no parent that is not the window's main frame is refused too.
    const impostor = new FakeFrame('app://kassa/index.html', { processId: top.processId, routingId: 99 });
    expect(await call({ sender: window.webContents, senderFrame: impostor })).toEqual(REFUSED);
    expect(sessions.calls).toEqual([]);
    expect(refusals).toEqual(['the sender is a subframe', 'the sender is not the window\'s top frame']);
  });

  it('refuses a frame that is gone and a webContents the factory did not make', async () => {
    const { sessions, call, window } = setUp();
    expect(await call({ sender: window.webContents, senderFrame: null })).toEqual(REFUSED);
    const stranger = new FakeWebContents();
    stranger.mainFrame.navigate('app://kassa/');
    expect(await call({ sender: stranger, senderFrame: stranger.mainFrame })).toEqual(REFUSED);
    expect(sessions.calls).toEqual([]);
  });

  it('refuses a window the factory made but never attached, and one that has closed', async () => {
    const { sessions, factory, call, window, fromTop } = setUp();
    const unattached = factory.create('display').window as unknown as FakeBrowserWindow;
    await unattached.loadURL('app://kassa/');
    expect(await call({ sender: unattached.webContents, senderFrame: unattached.webContents.mainFrame })).toEqual(REFUSED);
    const event = fromTop();
    window.close();
    expect(await call(event)).toEqual(REFUSED);
    expect(sessions.calls).toEqual([]);
    expect(sessions.sessions[0]!.closed).toBe(true);
  });

  it('gives each window its own session and role, and its events only', async () => {
    const { sessions, bridge, factory, call, window, fromTop } = setUp();
    const display = factory.create('display');
    const displayWindow = display.window as unknown as FakeBrowserWindow;
    await displayWindow.loadURL('app://kassa/');
    bridge.attach(display, 'display');
    expect(await call({ sender: displayWindow.webContents, senderFrame: displayWindow.webContents.mainFrame })).toMatchObject({ ok: true, result: { role: 'display' } });
    expect(await call(fromTop())).toMatchObject({ ok: true, result: { role: 'cashier' } });
    const event: AppEvent = { name: 'notice', level: 'info', code: 'X', message: 'for the till' };
    sessions.sessions[0]!.emit(event);
    expect(window.webContents.sent).toEqual([{ channel: EVENT_CHANNEL, args: [event] }]);
    expect(displayWindow.webContents.sent).toEqual([]);
    expect(() => bridge.attach(display, 'cashier')).toThrow(/already has a session/);
  });

  it('passes a non-string method name to the session to refuse, and stops taking calls when closing', async () => {
    const { sessions, bridge, ipcMain, call, fromTop } = setUp();
    await call(fromTop(), 42);
    expect(sessions.calls[0]!.method).toBe('42');
    bridge.stopCalls();
    expect(await call(fromTop())).toMatchObject({ ok: false, error: { code: 'VSE_UNAVAILABLE' } });
    bridge.close();
    expect(ipcMain.removed).toEqual([CALL_CHANNEL]);
    expect(sessions.sessions.every((session) => session.closed)).toBe(true);
    await expect(call(fromTop())).rejects.toThrow(/No handler/);
  });
});
