// The lifecycle notices a device that went away even when its transport never says so: the
// device node vanishing is enough (the presence check), and it reconnects when it returns.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { waitUntil } from '../../test/support/wait.ts';
import { DeviceLifecycle, pathExists } from './lifecycle.ts';

const tempFolder = tempFolders();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/** A lifecycle over a plain file whose "transport" never reports a loss by itself. */
function silentDevice(path: string, present?: (path: string) => Promise<boolean>) {
  let connects = 0;
  const lifecycle = new DeviceLifecycle<{ n: number }>({
    locate: async () => ((await pathExists(path)) ? { path } : { absent: { code: 'NOT_FOUND', message: 'absent' } }),
    connect: async () => ({ n: ++connects }),
    disconnect: async () => undefined,
    retryMs: 20,
    ...(present ? { present } : {}),
  });
  stops.push(() => lifecycle.stop());
  return { lifecycle, connects: () => connects };
}

describe('DeviceLifecycle presence check', () => {
  it('reports a vanished device node as DISCONNECTED and reconnects when it is back', async () => {
    const path = join(tempFolder('kassa-lifecycle-'), 'ttyFAKE');
    await writeFile(path, '');
    const { lifecycle, connects } = silentDevice(path, pathExists);
    lifecycle.start();
    await waitUntil('ready', () => lifecycle.status.state === 'ready');
    await rm(path);
    await waitUntil('the loss to be noticed', () => lifecycle.status.state === 'absent');
    expect(lifecycle.status.error?.code).toBe('DISCONNECTED');
    await writeFile(path, '');
    await waitUntil('ready again', () => lifecycle.status.state === 'ready');
    expect(connects()).toBe(2);
  });

  it('without a presence check, only the transport can report a loss', async () => {
    const path = join(tempFolder('kassa-lifecycle-'), 'ttyFAKE');
    await writeFile(path, '');
    const { lifecycle } = silentDevice(path);
    lifecycle.start();
    await waitUntil('ready', () => lifecycle.status.state === 'ready');
    await rm(path);
    await new Promise((resolve) => setTimeout(resolve, 200)); // ten retry periods
    expect(lifecycle.status.state).toBe('ready');
  });
});
