/**
 * The preload bridge (`window.kassa`): the contract's calls by name and its events, nothing
 * else. A name outside the contract never reaches IPC; answers become results or typed error
 * values; listeners get the event and never the IPC event object (whose sender is
 * ipcRenderer). Over the fake IPC it is the contract's AppTransport, so the renderer's own
 * client works on it unchanged.
 */
import { describe, expect, it } from 'vitest';
import { APP_METHODS, type AppEvent } from '../contract/app-api.ts';
import { createAppClient } from '../contract/client.ts';
import type { CallOutcome } from '../host/app-api-server.ts';
import { kassaBridge } from './bridge.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.ts';
import { FakeIpcMain, FakeWebContents, fakeRenderer } from './test/fake-electron.ts';

type Renderer = Parameters<typeof kassaBridge>[0];

function setUp(answer: (method: string, params: unknown) => CallOutcome | Promise<CallOutcome>) {
  const ipcMain = new FakeIpcMain();
  const seen: { method: unknown; params: unknown }[] = [];
  ipcMain.handle(CALL_CHANNEL, (_event, method, params) => {
    seen.push({ method, params });
    return answer(method as string, params);
  });
  const contents = new FakeWebContents();
  const bridge = kassaBridge(fakeRenderer(contents, ipcMain) as unknown as Renderer);
  return { bridge, seen, contents };
}

const catching = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('the preload bridge', () => {
  it('exposes call and onEvent only', () => {
    const { bridge } = setUp(() => ({ ok: true, result: null }));
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent']);
  });

  it('passes the contract\'s calls and refuses any other name before IPC', async () => {
    const { bridge, seen } = setUp((method) => ({ ok: true, result: method }));
    for (const method of APP_METHODS) expect(await bridge.call(method, {})).toBe(method);
    for (const name of ['evil', 'payments', '__proto__', 'constructor', 'payments.request ', 'ipcRenderer.send']) {
      expect(await catching(bridge.call(name, {}))).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('no such call') });
    }
    expect(await catching(bridge.call(42 as unknown as string))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(seen.map((entry) => entry.method)).toEqual(APP_METHODS);
  });

  it('turns the host\'s answer into a result or a typed error value', async () => {
    const { bridge } = setUp((method) => (method === 'payments.cancel' ? { ok: false, error: { code: 'NO_OPEN_REQUEST', message: 'nothing to cancel' } } : { ok: true, result: { phase: 'idle' } }));
    expect(await bridge.call('payments.state')).toEqual({ phase: 'idle' });
    expect(await catching(bridge.call('payments.cancel'))).toEqual({ code: 'NO_OPEN_REQUEST', message: 'nothing to cancel' });
  });

  it('says so when parameters cannot cross (a function) or the host answers outside its shape', async () => {
    const { bridge } = setUp(() => ({ weird: true }) as unknown as CallOutcome);
    expect(await catching(bridge.call('payments.request', { amount: 1, callback: () => 1 }))).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/could not be cloned/) });
    expect(await catching(bridge.call('payments.state'))).toMatchObject({ code: 'INTERNAL' });
  });

  it('hands listeners the event alone, until they unsubscribe', () => {
    const { bridge, contents } = setUp(() => ({ ok: true, result: null }));
    const heard: unknown[][] = [];
    const stop = bridge.onEvent((...args: unknown[]) => heard.push(args));
    const alsoHeard: unknown[] = [];
    bridge.onEvent(() => {
      throw new Error('a broken listener');
    });
    bridge.onEvent((event) => alsoHeard.push(event));
    const event: AppEvent = { name: 'notice', level: 'info', code: 'X', message: 'hello' };
    contents.send(EVENT_CHANNEL, event);
    stop();
    contents.send(EVENT_CHANNEL, event);
    expect(heard).toEqual([[event]]);
    expect(alsoHeard).toEqual([event, event]);
    expect(() => bridge.onEvent('nope' as unknown as () => void)).toThrow();
  });

  it('is the AppTransport the renderer\'s client runs on', async () => {
    const { bridge } = setUp((method) =>
      method === 'payments.cancel' ? { ok: false, error: { code: 'NO_OPEN_REQUEST', message: 'nothing to cancel' } } : { ok: true, result: { cancelled: true } },
    );
    const client = createAppClient(bridge);
    await expect(client.call('payments.cancel', {})).rejects.toMatchObject({ name: 'AppError', code: 'NO_OPEN_REQUEST' });
  });
});
