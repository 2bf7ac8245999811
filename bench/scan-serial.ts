/**
 * `scan-serial`: scan-to-text latency through the serial scanner driver over a socat pty, for
 * a 500-character payload plus CR — from the emulated scanner's write to the driver's `scan`
 * event. The baseline, measured in the same run, is the raw pty round trip: the same write
 * read by a bare serialport until the CR arrives. Raw and driver rounds alternate in blocks,
 * so load on the machine falls on both alike.
 */
import { SerialPort } from 'serialport';
import { SerialScanner } from '../hardware/scanner/serial-scanner.ts';
import { DeviceEnd } from '../sim/devices/device-end.ts';
import { PtyPair } from '../sim/devices/pty-pair.ts';
import { scanBytes } from '../sim/devices/serial-scanner.ts';
import { figure, percentile, type Benchmark, type Figure } from './figures.ts';

const NAME = 'scan-serial';
const PAYLOAD_CHARS = 500;
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export const benchmark: Benchmark = {
  name: NAME,
  async run({ full }): Promise<Figure[]> {
    const blocks = full ? 40 : 10;
    const perBlock = full ? 100 : 50;
    const payload = scanBytes(`KP1:${Array.from({ length: PAYLOAD_CHARS - 4 }, (_, i) => BASE45[(i * 7) % BASE45.length]).join('')}`, 'CR');
    const pair = await PtyPair.open();
    const device = await DeviceEnd.open(pair.devicePath);
    const raw: number[] = [];
    const driver: number[] = [];
    try {
      for (let block = 0; block < blocks; block++) {
        raw.push(...(await rawRounds(pair.hostPath, device, payload, perBlock)));
        driver.push(...(await driverRounds(pair.hostPath, device, payload, perBlock)));
      }
    } finally {
      await device.close();
      await pair.close();
    }
    const rawP50 = percentile(raw, 50);
    const rawP99 = percentile(raw, 99);
    const p50 = percentile(driver, 50);
    const p99 = percentile(driver, 99);
    return [
      figure(NAME, 'scan-p50-ms', p50, 'ms', rawP50),
      figure(NAME, 'scan-p99-ms', p99, 'ms', rawP99),
      figure(NAME, 'driver-added-p50-ms', p50 - rawP50, 'ms'),
      figure(NAME, 'driver-added-p99-ms', p99 - rawP99, 'ms'),
      figure(NAME, 'samples', driver.length, 'scans'),
    ];
  },
};

async function rawRounds(path: string, device: DeviceEnd, payload: Uint8Array, rounds: number): Promise<number[]> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  port.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let received = 0;
  let done: (() => void) | undefined;
  port.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received >= payload.length && chunk[chunk.length - 1] === 0x0d) done?.();
  });
  try {
    return await timeRounds(device, payload, rounds, () => {
      received = 0;
      return new Promise<void>((resolve) => (done = resolve));
    });
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

async function driverRounds(path: string, device: DeviceEnd, payload: Uint8Array, rounds: number): Promise<number[]> {
  const scanner = new SerialScanner({ path, retryMs: 20 });
  let done: (() => void) | undefined;
  scanner.on('scan', () => done?.());
  const ready = new Promise<void>((resolve) => scanner.on('status', (s) => s.state === 'ready' && resolve()));
  scanner.start();
  await ready;
  try {
    return await timeRounds(device, payload, rounds, () => new Promise<void>((resolve) => (done = resolve)));
  } finally {
    await scanner.stop();
  }
}

/** Milliseconds from each write of `payload` until the arrival it was paired with. */
async function timeRounds(device: DeviceEnd, payload: Uint8Array, rounds: number, nextArrival: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const arrived = nextArrival();
    const start = performance.now();
    await device.write(payload);
    await arrived;
    times.push(performance.now() - start);
  }
  return times;
}
