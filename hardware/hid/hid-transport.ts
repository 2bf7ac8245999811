/**
 * The thin transport under the HID POS driver: node-hid's async API behind a small interface,
 * so the driver's logic runs the same against a replayed recording in tests (no virtual HID
 * device can be created without /dev/uhid).
 */
import { createRequire } from 'node:module';
import type * as NodeHidModule from 'node-hid';
import { checkAccess } from '../core/access.ts';
import { deviceError, DeviceFailure, type DeviceError } from '../core/errors.ts';
import type { HidDeviceInfo } from './hid-interfaces.ts';

export interface HidTransport {
  /** Input reports, report id first. */
  onReport(listener: (report: Uint8Array) => void): void;
  /** Called once if the device goes away or reading fails for good. */
  onLost(listener: (error: DeviceError) => void): void;
  /** Sends an output report (report id first). */
  write(report: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  /** Opens the interface at `path`; rejects with a DeviceFailure (PERMISSION_DENIED, NOT_FOUND, ...). */
  open(path: string): Promise<HidTransport>;
}

type NodeHid = typeof NodeHidModule;

let nodeHid: NodeHid | undefined;
function loadNodeHid(): NodeHid {
  // Loaded on first use: the addon is only needed where a HID scanner is configured.
  nodeHid ??= createRequire(import.meta.url)('node-hid') as NodeHid;
  return nodeHid;
}

/** node-hid (hidapi over hidraw on Linux). */
export const nodeHidBackend: HidBackend = {
  async devices() {
    const hid = loadNodeHid();
    return hid.devicesAsync();
  },
  async open(path) {
    const hid = loadNodeHid();
    let device: Awaited<ReturnType<NodeHid['HIDAsync']['open']>>;
    try {
      device = await hid.HIDAsync.open(path);
    } catch (error) {
      throw new DeviceFailure((await checkAccess(path)) ?? deviceError('OPEN_FAILED', `cannot open ${path}: ${(error as Error).message}`, { device: path }));
    }
    const lostListeners: ((error: DeviceError) => void)[] = [];
    let lost = false;
    device.on('error', (error: Error) => {
      if (lost) return;
      lost = true;
      for (const listener of lostListeners) listener(deviceError('DISCONNECTED', `${path} went away (${error.message})`, { device: path }));
    });
    return {
      onReport: (listener) => void device.on('data', (data: Buffer) => listener(new Uint8Array(data))),
      onLost: (listener) => void lostListeners.push(listener),
      async write(report) {
        try {
          await device.write(Buffer.from(report));
        } catch (error) {
          throw new DeviceFailure(deviceError('IO_FAILED', `writing to ${path} failed: ${(error as Error).message}`, { device: path }));
        }
      },
      async close() {
        lost = true;
        await device.close().catch(() => undefined);
      },
    };
  },
};
