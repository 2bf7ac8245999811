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

/** A lifecycle over a plain file whose "transport" reports a loss only when the test says so. */
function silentDevice(path: string, present?: (path: string) => Promise<boolean>) {
  let connects = 0;
  let locates = 0;
  let lost: ((error: { code: 'DISCONNECTED'; message: string }) => void) | undefined;
  const lifecycle = new DeviceLifecycle<{ n: number }>({
    locate: async () => {
      locates++;
      return (await pathExists(path)) ? { path } : { absent: { code: 'NOT_FOUND', message: 'absent' } };
    },
    connect: async (_path, onLost) => {
      lost = onLost;
      return { n: ++connects };
    },
    disconnect: async () => undefined,
    retryMs: 20,
    ...(present ? { present } : {}),
  });
  stops.push(() => lifecycle.stop());
  return { lifecycle, connects: () => connects, locates: () => locates, transportReportsLoss: () => lost!({ code: 'DISCONNECTED', message: 'the transport says it is gone' }) };
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
    const folder = tempFolder('kassa-lifecycle-');
    const [path, twinPath] = [join(folder, 'ttyFAKE'), join(folder, 'ttyTWIN')];
    await Promise.all([writeFile(path, ''), writeFile(twinPath, '')]);
    const silent = silentDevice(path);
    // A twin with a presence check and the same retry period is the yardstick: by the time it
    // has noticed its node gone, the silent one would have too, had it been looking.
    const twin = silentDevice(twinPath, pathExists);
    silent.lifecycle.start();
    twin.lifecycle.start();
    await waitUntil('both ready', () => silent.lifecycle.status.state === 'ready' && twin.lifecycle.status.state === 'ready');
    const locatesWhenReady = silent.locates();
    await Promise.all([rm(path), rm(twinPath)]);
    await waitUntil('the twin to notice', () => twin.lifecycle.status.state === 'absent');
    expect(silent.lifecycle.status.state).toBe('ready');
    expect(silent.locates()).toBe(locatesWhenReady);

    silent.transportReportsLoss();
    await waitUntil('the loss the transport reported', () => silent.lifecycle.status.state === 'absent');
    expect(silent.lifecycle.status.error?.code).toBe('DISCONNECTED');
  });
});
