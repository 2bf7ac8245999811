/**
 * The operations commands as real processes beside a running terminal: the app host (its VSE
 * process, the data folder's lock) serves payments taken from a payer the real backend
 * reserved, while `kassa export`, `kassa verify-export`, `kassa backup` and `kassa restore` run
 * as separate `kassa` processes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHost } from '../main/host/app-host.ts';
import { kassa } from './support/cli.ts';
import { startHeadlessWorld, type HeadlessWorld, type Payer } from './support/headless.ts';
import { tempFolders } from './support/temp.ts';

const tempFolder = tempFolders();
/** The environment without the KASSA_* variables a developer's shell may carry. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KASSA_')));

let world: HeadlessWorld;
let dataDir: string;
let host: AppHost;
let payer: Payer;
const paid: string[] = [];

async function takePayment(amount: number): Promise<string> {
  const request = await host.payments.request({ amount, origin: 'cashier' });
  const verdict = await host.payments.submit(await payer.pay(request.text), 'keyboard');
  if (verdict.outcome !== 'paid') throw new Error(`not paid: ${JSON.stringify(verdict)}`);
  paid.push(verdict.payment.iouId);
  return verdict.payment.iouId;
}

beforeAll(async () => {
  world = await startHeadlessWorld();
  dataDir = await world.enrolledFolder('ops');
  ({ host } = await world.serve(dataDir));
  payer = await world.payer();
  await takePayment(1_500);
  await takePayment(2_750);
}, 120_000);
afterAll(() => world?.close());

describe('kassa export and verify-export', { timeout: 120_000 }, () => {
  it('exports beside the running terminal; a third party verifies the file with the root key alone', async () => {
    const file = join(tempFolder('kassa-export-'), 'terminal.export');
    const exported = await kassa(['export', '--data', dataDir, file], { env: cleanEnv() });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ file, payments: 2, trustLists: 1 });

    // No data folder, no key: only the file and the scheme's root key.
    const rootKeyArgs = world.backend.rootKeys.flatMap((key) => ['--root-key', key]);
    const verified = await kassa(['verify-export', ...rootKeyArgs, file], { env: { PATH: process.env.PATH ?? '' } });
    expect(verified.code).toBe(0);
    const result = JSON.parse(verified.stdout);
    expect(result).toMatchObject({ ok: true, anchored: true, payments: 2, problems: [] });
    expect(result.terminalId).toMatch(/\S/);
    expect(verified.stderr).toMatch(/verifies: 2 payments/);

    // One byte changed: refused, and the problem named.
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    const tampered = join(tempFolder('kassa-export-'), 'tampered.export');
    writeFileSync(tampered, bytes);
    const refused = await kassa(['verify-export', ...rootKeyArgs, tampered], { env: { PATH: process.env.PATH ?? '' } });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).problems[0].kind).toMatch(/^(BAD_SIGNATURE|MALFORMED)$/);
    expect(refused.stderr).toMatch(/does NOT verify/);

    // Without a trust anchor the command says what it needs.
    expect((await kassa(['verify-export', file])).code).toBe(2);
    // An existing file is never overwritten.
    const again = await kassa(['export', '--data', dataDir, file], { env: cleanEnv() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot write/);
  });
});
