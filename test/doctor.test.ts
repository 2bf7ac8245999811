/**
 * `kassa doctor` on real terminals enrolled with the real backend: a healthy one (also while
 * it serves) gets a clean bill, and each check, broken on purpose in a folder of its own, is
 * caught with its fix hint — without the other checks crying wolf.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../main/doctor/check.ts';
import { runDoctor, type DoctorOptions, type DoctorReport } from '../main/doctor/doctor.ts';
import { UDEV_RULES_FILE } from '../main/doctor/devices.ts';
import { closedPort, kassa } from './support/cli.ts';
import { startHeadlessWorld, type HeadlessWorld } from './support/headless.ts';
import { tempFolders } from './support/temp.ts';

const tempFolder = tempFolders();
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KASSA_')));
const DAY_MS = 86_400_000;

let world: HeadlessWorld;
let udevDir: string;
let noUdevDir: string;

beforeAll(async () => {
  world = await startHeadlessWorld();
  udevDir = tempFolder('kassa-udev-');
  writeFileSync(join(udevDir, UDEV_RULES_FILE), '# installed\n');
  noUdevDir = tempFolder('kassa-no-udev-');
}, 60_000);
afterAll(() => world?.close());

const doctor = (dataDir: string, options: Partial<DoctorOptions> = {}) => runDoctor({ dataDir, env: {}, udevRulesDirs: [udevDir], backendTimeoutMs: 3_000, ...options });
const check = (report: DoctorReport, id: string): CheckResult => report.checks.find((c) => c.id === id)!;
const statuses = (report: DoctorReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

function editConfig(dataDir: string, edit: (config: Record<string, unknown>) => void): void {
  const path = join(dataDir, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(config);
  writeFileSync(path, JSON.stringify(config));
  chmodSync(path, 0o600);
}

describe('kassa doctor', { timeout: 120_000 }, () => {
  it('gives a healthy enrolled terminal a clean bill, also while it serves, as JSON from the command line', async () => {
    const dataDir = await world.enrolledFolder('healthy');
    const report = await doctor(dataDir);
    expect(statuses(report)).toEqual({
      runtime: 'ok',
      'data-folder': 'ok',
      config: 'ok',
      'key-store': 'ok',
      database: 'ok',
      'trust-list': 'ok',
      devices: 'skip',
      'udev-rules': 'skip',
      backend: 'ok',
      clock: 'ok',
    });
    expect(report.ok).toBe(true);
    expect(check(report, 'key-store').details).toMatchObject({ terminalId: expect.any(String) });

    await world.serve(dataDir);
    const run = await kassa(['doctor', '--json', '--data', dataDir], { env: cleanEnv() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as DoctorReport;
    expect(json.ok).toBe(true);
    expect(json.checks.filter((c) => c.status === 'fail')).toEqual([]);
    const text = await kassa(['doctor', '--data', dataDir], { env: cleanEnv() });
    expect(text.stdout).toMatch(/^ok {3}database/m);
    expect(text.stdout).toMatch(/healthy/);
  });

  it('catches an old Node, with the version to install', async () => {
    const dataDir = await world.enrolledFolder('old-node');
    const report = await doctor(dataDir, { versions: { node: '20.11.1' } });
    expect(check(report, 'runtime')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/Node 24/) });
    expect(report.ok).toBe(false);
  });

  it('catches a data folder and files others may read, with the chmod to run', async () => {
    const dataDir = await world.enrolledFolder('loose');
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'config.json'), 0o644);
    const report = await doctor(dataDir);
    const result = check(report, 'data-folder');
    expect(result.status).toBe('fail');
    expect(result.hint).toContain(`chmod 700 ${dataDir}`);
    expect(result.hint).toContain(`chmod 600 ${join(dataDir, 'config.json')}`);
    expect(statuses(report)).toMatchObject({ database: 'ok', backend: 'ok' });
  });

  it('catches a key file others may read, with chmod 600', async () => {
    const dataDir = await world.enrolledFolder('loose-key');
    chmodSync(join(dataDir, 'database.key'), 0o640);
    const report = await doctor(dataDir);
    expect(check(report, 'key-store')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/KEY_FILE_INSECURE/), hint: expect.stringMatching(/chmod 600/) });
  });

  it("says so when the key is the Electron app's, sealed by the OS keyring, instead of opening the database", async () => {
    const dataDir = await world.enrolledFolder('sealed');
    renameSync(join(dataDir, 'database.key'), join(dataDir, 'database.key.sealed'));
    const report = await doctor(dataDir);
    expect(check(report, 'key-store')).toMatchObject({ status: 'warn', summary: expect.stringMatching(/sealed by the OS keyring/), hint: expect.stringMatching(/KASSA_DB_KEY/) });
    expect(check(report, 'database')).toMatchObject({ status: 'skip', summary: expect.stringMatching(/sealed/) });
  });

  it('catches a corrupted database, pointing at kassa restore', async () => {
    const dataDir = await world.enrolledFolder('corrupt');
    const path = join(dataDir, 'vse', 'vse.sqlite');
    const bytes = readFileSync(path);
    // Damage pages in the middle of the file (encrypted: the page's HMAC fails on read).
    for (let at = Math.floor(bytes.length / 2); at < Math.floor(bytes.length / 2) + 64; at++) bytes[at]! ^= 0x5a;
    writeFileSync(path, bytes);
    const report = await doctor(dataDir);
    expect(check(report, 'database')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/kassa restore/) });
    expect(report.ok).toBe(false);
  });

  it('catches a stale trust list, and a clock far off the backend', async () => {
    const dataDir = await world.enrolledFolder('stale');
    const late = await doctor(dataDir, { now: () => Date.now() + 60 * DAY_MS });
    expect(check(late, 'trust-list')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/stale/), hint: expect.stringMatching(/fresh list/) });

    const skewed = await doctor(dataDir, { now: () => Date.now() + 5 * 60_000 });
    expect(check(skewed, 'clock')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/ahead of the backend/), hint: expect.stringMatching(/timedatectl/) });
    expect(check(skewed, 'trust-list').status).toBe('ok');
    expect((check(skewed, 'clock').details as { skewSeconds: number }).skewSeconds).toBeGreaterThanOrEqual(299);
  });

  it('catches an unreachable backend', async () => {
    const dataDir = await world.enrolledFolder('offline');
    const port = await closedPort();
    editConfig(dataDir, (config) => (config.backendUrl = `http://127.0.0.1:${port}`));
    const report = await doctor(dataDir);
    expect(check(report, 'backend')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/does not answer.*ECONNREFUSED/), hint: expect.stringMatching(/network/) });
    expect(check(report, 'clock').status).toBe('skip');
    expect(check(report, 'database').status).toBe('ok');
  });

  it('catches a configured device that is not there, and missing udev rules', async () => {
    const dataDir = await world.enrolledFolder('devices');
    const present = join(tempFolder('kassa-dev-'), 'ttyFAKE0');
    writeFileSync(present, '');
    editConfig(dataDir, (config) => (config.host = { ...(config.host as object), devices: [{ id: 'scanner', driver: 'serial-scanner', path: present }] }));
    const found = await doctor(dataDir);
    expect(statuses(found)).toMatchObject({ devices: 'ok', 'udev-rules': 'ok' });
    expect(check(await doctor(dataDir, { udevRulesDirs: [noUdevDir] }), 'udev-rules')).toMatchObject({ status: 'warn', hint: expect.stringMatching(/udevadm/) });

    const missing = join(tempFolder('kassa-dev-'), 'ttyGONE0');
    editConfig(dataDir, (config) => (config.host = { ...(config.host as object), devices: [{ id: 'scanner', driver: 'serial-scanner', path: missing }] }));
    const report = await doctor(dataDir, { udevRulesDirs: [noUdevDir] });
    expect(check(report, 'devices')).toMatchObject({ status: 'fail', summary: expect.stringContaining(`scanner: ${missing} does not exist`) });
    expect(check(report, 'udev-rules')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/udev/) });
  });

  it('says a fresh folder is not enrolled, and exits 1', async () => {
    const dataDir = join(tempFolder('kassa-fresh-'), 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const run = await kassa(['doctor', '--data', dataDir], { env: cleanEnv() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL config/);
    expect(run.stdout).toMatch(/fix: enroll the terminal/);
  });
});
