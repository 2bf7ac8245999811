/** `kassa devices` on real ptys: in-process, as an unprivileged user, and without udevadm. */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialScannerEmulator } from '../../../sim/devices/serial-scanner.ts';
import { main } from '../kassa.ts';

const KASSA = fileURLToPath(new URL('../kassa.ts', import.meta.url));
const ROOT = process.getuid?.() === 0;
if (!ROOT) console.warn('kassa devices: skipping the permission test: it needs root to run the CLI as user nobody');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['devices', ...args], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => '' });
  return { code, out, err };
}

function spawnKassa(args: string[], options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KASSA, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function scannerOnPty() {
  const device = await SerialScannerEmulator.start();
  cleanups.push(() => device.close());
  return device;
}

describe('kassa devices', () => {
  it('says a free port can be opened, and a held one is BUSY with the way to find the holder', async () => {
    const device = await scannerOnPty();
    const free = await run(['--path', device.hostPath, '--json']);
    expect(free.code).toBe(0);
    expect(JSON.parse(free.out).paths).toEqual([{ path: device.hostPath, exists: true }]);

    const holder = new SerialPort({ path: device.hostPath, baudRate: 9600, autoOpen: false });
    holder.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
    cleanups.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const busy = await run(['--path', device.hostPath]);
    expect(busy.code).toBe(1);
    expect(busy.out).toMatch(new RegExp(`BUSY: ${device.hostPath} is in use by another program\\n\\s+fix: .*fuser`));
  });

  it('reports configured devices as found or missing', async () => {
    const device = await scannerOnPty();
    const dir = await mkdtemp(join(tmpdir(), 'kassa-config-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'devices.json');
    await writeFile(
      file,
      JSON.stringify({
        devices: [
          { id: 'front', driver: 'serial-scanner', path: device.hostPath },
          { id: 'tap', driver: 'pn532', vendorId: '1a86', productId: '7523' },
        ],
      }),
    );
    const result = await run(['--config', file, '--no-probe']);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`front (serial-scanner) at ${device.hostPath}\n      ok: Kassa can open it`);
    expect(result.out).toMatch(/tap \(pn532\)\n\s+NOT_FOUND: no device 1a86:7523 is attached/);

    await writeFile(file, JSON.stringify({ devices: [{ id: 'x', driver: 'pn532' }] }));
    const invalid = await run(['--config', file]);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/devices\.0: give a path, or a vendorId/);
  });

  it.skipIf(!ROOT)('tells an unprivileged user that permission is missing and which udev rules to install', async () => {
    // Runs the real CLI as `nobody` against a pty that only root may read (mode 0620, group tty).
    const device = await scannerOnPty();
    await chmod(dirname(device.hostPath), 0o755);
    const result = await spawnKassa(['devices', '--path', device.hostPath], { uid: 65534, gid: 65534 });
    expect(result.code).toBe(1);
    expect(result.out).toContain(`PERMISSION_DENIED: this user may not open ${device.hostPath}`);
    expect(result.out).toMatch(/fix: .*build\/udev\/70-kassa-devices\.rules/);
  });

  it('works without udevadm, says how the listing was made, and exits 1 exactly when something listed cannot be opened', async () => {
    const device = await scannerOnPty();
    const env = { ...process.env, PATH: dirname(process.execPath) };
    const listed = await spawnKassa(['devices', '--json', '--path', device.hostPath], { env });
    const report = JSON.parse(listed.out) as { devices: { problem?: unknown }[]; paths: unknown[]; notes: string[] };
    expect(report.notes.join('\n')).toMatch(/udevadm is not installed .*\/sys\/class\/tty/);
    expect(report.paths).toEqual([{ path: device.hostPath, exists: true }]);
    // Whatever this machine has attached decides the exit code, as the usage says.
    expect(listed.code).toBe(report.devices.some((d) => d.problem !== undefined) ? 1 : 0);

    const missing = await spawnKassa(['devices', '--path', device.hostPath, '--path', '/nonexistent/ttyUSB9'], { env });
    expect(missing.out).toMatch(/udevadm is not installed .*\/sys\/class\/tty/);
    expect(missing.out).toContain('NOT_FOUND: /nonexistent/ttyUSB9 does not exist');
    expect(missing.code).toBe(1);
  });
});
