/**
 * Quitting waits for the host: before-quit is held back until the close has resolved, then the
 * app quits; whatever starts it (a quit, the last window, SIGTERM), the close runs once; a
 * close that fails still ends the app, with exit code 1. Asked how to finish, it exits with a
 * status or hands over (an update's install) instead of quitting.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installOrderlyShutdown } from './shutdown.ts';
import { FakeApp } from './test/fake-electron.ts';

type QuittingApp = Parameters<typeof installOrderlyShutdown>[0];

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setUp() {
  const app = new FakeApp('/tmp');
  const order: string[] = [];
  const closing = deferred();
  let closes = 0;
  const signals = new EventEmitter();
  const errors: unknown[] = [];
  app.on('quit', () => order.push('app quit'));
  const shutdown = installOrderlyShutdown(app as unknown as QuittingApp, {
    close: async () => {
      closes++;
      order.push('close started');
      await closing.promise;
      order.push('close resolved');
    },
    onError: (error) => errors.push(error),
    signals: signals as unknown as Pick<NodeJS.Process, 'on'>,
  });
  return { app, order, closing, shutdown, signals, errors, closes: () => closes };
}

describe('orderly shutdown', () => {
  it('holds the quit until the host has closed, then quits', async () => {
    const { app, order, closing, shutdown } = setUp();
    app.quit();
    expect(app.quitted).toBe(false);
    expect(shutdown.state).toBe('closing');
    expect(order).toEqual(['close started']);
    closing.resolve();
    await shutdown.quit();
    expect(order).toEqual(['close started', 'close resolved', 'app quit']);
    expect(app.quitted).toBe(true);
    expect(shutdown.state).toBe('closed');
  });

  it('closes once however many ways the quit is asked for', async () => {
    const { app, closing, shutdown, signals, closes } = setUp();
    app.quit();
    app.emit('window-all-closed');
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    app.quit();
    closing.resolve();
    await shutdown.quit();
    expect(closes()).toBe(1);
    expect(app.quitted).toBe(true);
  });

  it('starts from the last window closing and from SIGTERM too', async () => {
    for (const start of ['window-all-closed', 'SIGTERM'] as const) {
      const { app, closing, shutdown, signals } = setUp();
      if (start === 'SIGTERM') signals.emit(start);
      else app.emit(start);
      expect(shutdown.state).toBe('closing');
      closing.resolve();
      await shutdown.quit();
      expect([start, app.quitted]).toEqual([start, true]);
    }
  });

  it('ends the app with exit code 1 when the close fails', async () => {
    const { app, closing, shutdown, errors } = setUp();
    app.quit();
    closing.reject(new Error('the VSE would not stop'));
    await shutdown.quit();
    expect(app.exitCode).toBe(1);
    expect(errors).toEqual([new Error('the VSE would not stop')]);
  });
  it('with an exit status (the kiosk\'s exit), exits with it once the host has closed, instead of quitting', async () => {
    const { app, order, closing, shutdown } = setUp();
    const quitting = shutdown.quit(10);
    expect(app.exitCode).toBeUndefined();
    closing.resolve();
    await quitting;
    expect(order).toEqual(['close started', 'close resolved']);
    expect(app.exitCode).toBe(10);
    expect(app.quitted).toBe(false);
  });

  it('with a hand-over (an update\'s install), calls it once the host has closed; a later SIGTERM changes nothing', async () => {
    const { app, order, closing, shutdown, signals } = setUp();
    const quitting = shutdown.quit(() => order.push('hand-over'));
    signals.emit('SIGTERM');
    closing.resolve();
    await quitting;
    expect(order).toEqual(['close started', 'close resolved', 'hand-over']);
    expect(app.exitCode).toBeUndefined();
  });
});
