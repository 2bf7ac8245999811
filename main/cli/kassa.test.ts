// `./kassa` as a newcomer runs it: a real process, JSON on stdout, exit codes 0/1/2 (OIP/1 §6).
// Each outcome (0, 1, 2, standard input, help) is shown once through the real process; the
// many variations of each run the same `main` in this process, without paying a process start.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleText, decodePaymentBundle, iouIdOf, PREFIX, signObject, SIGNED, toHex } from '../../protocol/index.ts';
import { paymentText, paymentWorld, REALISTIC, requestText, type PaymentWorld } from '../../sim/fixtures/payments.ts';
import { main } from './kassa.ts';

import { tempFolders } from '../../test/support/temp.ts';

const tempFolder = tempFolders();
const KASSA = new URL('../../kassa', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kassa(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(KASSA, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

/** The same command line, in this process: what it prints and the exit code it would end with. */
async function inProcess(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '' });
  return { code, stdout, stderr };
}

let world: PaymentWorld;
let trustListFile: string;
let valid: string;
let base: string[];

beforeAll(() => {
  world = paymentWorld(Math.floor(Date.now() / 1000));
  const dir = tempFolder('kassa-cli-');
  trustListFile = join(dir, 'trust-list.cose');
  writeFileSync(trustListFile, world.trustList.bytes);
  valid = paymentText(world);
  base = ['verify', '--root-key', toHex(world.scheme.root.publicKey), '--trust-list', trustListFile];
});

describe('kassa verify', () => {
  it('prints ok with the iou_id and exits 0 for a valid payment', async () => {
    const run = await kassa([...base, '--terminal-id', REALISTIC.terminalId, '--now', String(world.now), valid]);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ ok: true, iouId: toHex(iouIdOf(decodePaymentBundle(valid).iou)), amount: REALISTIC.amount, currency: 'SEK', seq: 1 });
  });

  it('uses the system clock without --now and skips check 11 without --terminal-id', async () => {
    const run = await inProcess([...base, paymentText(world, { iou: { payee: 'ANOTHER-TERMINAL' } })]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).payee).toBe('ANOTHER-TERMINAL');
  });

  it('allows 600 s of clock skew by default, and what --clock-skew says', async () => {
    const anHourAhead = paymentText(world, { iou: { created: world.now + 3600 } });
    const atDefault = await kassa([...base, '--now', String(world.now), paymentText(world, { iou: { created: world.now + 600 } })]);
    expect([atDefault.code, JSON.parse(atDefault.stdout).ok]).toEqual([0, true]);
    const widened = await kassa([...base, '--now', String(world.now), '--clock-skew', '3600', anHourAhead]);
    expect([widened.code, JSON.parse(widened.stdout)]).toEqual([0, expect.objectContaining({ ok: true, created: world.now + 3600 })]);
  });

  it('reads TEXT from standard input with -', async () => {
    const run = await kassa([...base, '-'], `${valid}\r\n`);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).ok).toBe(true);
  });

  // Arguments are built when the test runs, after beforeAll made the world.
  it.each([
    ['WRONG_PAYEE', () => ['--terminal-id', 'TERM-0000043', valid]],
    ['CERT_NOT_YET_VALID', () => ['--now', String(world.now), paymentText(world, { certificate: { notBefore: world.now + 3600 } })]],
    ['MALFORMED', () => [valid.slice(0, -1)]],
    ['IOU_SIGNATURE_INVALID', () => [tamperedAmount(valid)]],
    ['CLOCK_SKEW', () => ['--now', String(world.now), paymentText(world, { iou: { created: world.now + 601 } })]],
    ['CLOCK_SKEW', () => ['--now', String(world.now), '--clock-skew', '60', paymentText(world, { iou: { created: world.now - 61 } })]],
  ] as const)('prints {ok: false, reason: %s} and exits 1', async (reason, args) => {
    // One of them through the real process: its exit code is the process's.
    const run = await (reason === 'MALFORMED' ? kassa : inProcess)([...base, ...args()]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, reason });
  });

  it('treats a trust list signed by another root as no trust list', async () => {
    const run = await inProcess(['verify', '--root-key', toHex(world.scheme.walletIssuer.publicKey), '--trust-list', trustListFile, valid]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, reason: 'NO_TRUST_LIST', detail: expect.stringMatching(/not a configured root key/) });
  });

  it.each([
    ['no root key', ['verify', '--trust-list', 'x', 'KP1:']],
    ['a root key that is not 33 bytes of hex', ['verify', '--root-key', 'abcd', '--trust-list', 'x', 'KP1:']],
    ['an unreadable trust list', ['verify', '--root-key', '02'.padEnd(66, '0'), '--trust-list', '/nonexistent/list', 'KP1:']],
    ['no TEXT', ['verify', '--root-key', '02'.padEnd(66, '0'), '--trust-list', '/etc/hostname']],
    ['an unknown option', ['verify', '--colour', 'KP1:']],
    ['--now that is not Unix seconds', ['verify', '--root-key', '02'.padEnd(66, '0'), '--trust-list', '/etc/hostname', '--now', 'yesterday', 'KP1:']],
    ['--clock-skew that is not whole seconds', ['verify', '--root-key', '02'.padEnd(66, '0'), '--trust-list', '/etc/hostname', '--clock-skew', '10 min', 'KP1:']],
  ])('exits 2 with a usage message for %s', async (what, args) => {
    const run = await (what === 'no root key' ? kassa : inProcess)(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Usage: kassa verify/);
    expect(run.stdout).toBe('');
  });
});

function tamperedAmount(text: string): string {
  const { walletCertificate, iou } = decodePaymentBundle(text);
  // A fresh IOU with a higher amount, signed by a key that is not the wallet's.
  const other = signObject(SIGNED.iou, { ...iou.value, amount: iou.value.amount + 1 }, world.terminal);
  return bundleText(PREFIX.payment, [walletCertificate.sign1.bytes, other]);
}

describe('kassa inspect', () => {
  it('prints the objects of a KP1: text with the spec field names and the iou_id', async () => {
    const run = await kassa(['inspect', valid]);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer.prefix).toBe('KP1:');
    expect(answer.objects.map((o: { type: string }) => o.type)).toEqual(['wallet_certificate', 'iou']);
    expect(answer.objects[0].payload).toMatchObject({ reservation_id: toHex(world.walletCertificate.reservationId), reserved_amount: REALISTIC.reservedAmount, currency: 'SEK' });
    expect(answer.objects[0].kid).toMatch(/^[0-9a-f]{16}$/);
    expect(answer.objects[1].iou_id).toBe(toHex(iouIdOf(decodePaymentBundle(valid).iou)));
    expect(answer.objects[1].payload).toMatchObject({ seq: 1, spent_before: 0, payee: REALISTIC.terminalId });
  });

  it('decodes KR1: and KA1: texts too', async () => {
    const request = await inProcess(['inspect', requestText(world)]);
    expect(request.code).toBe(0);
    expect(JSON.parse(request.stdout).objects.map((o: { type: string }) => o.type)).toEqual(['terminal_certificate', 'payment_request']);
    const receipt = bundleText(PREFIX.receipt, [signObject(SIGNED.receipt, { iouId: new Uint8Array(32).fill(7), acceptedAt: world.now, terminalId: REALISTIC.terminalId }, world.terminal)]);
    const run = await inProcess(['inspect', receipt]);
    expect(JSON.parse(run.stdout).objects[0]).toMatchObject({ type: 'receipt', payload: { iou_id: '07'.repeat(32), terminal_id: REALISTIC.terminalId } });
  });

  it('prints MALFORMED and exits 1 for text that does not decode', async () => {
    const run = await inProcess(['inspect', 'KP1:NOT A BUNDLE']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, reason: 'MALFORMED' });
  });
});

describe('kassa', () => {
  it('--help lists the commands and exits 0; no command exits 2; an unknown one exits 2', async () => {
    const help = await kassa(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/verify .*\n.*inspect/s);
    // A checkout's ./kassa lists the other parties' commands after the terminal's.
    expect(help.stdout).toMatch(/ecr .*\n(.*\n)*  demo .*\n.*backend/);
    // The terminal's own command line (what a packaged Kassa runs) has none of them.
    const terminalOnly = await inProcess(['--help']);
    expect(terminalOnly.stdout).toMatch(/  verify /);
    expect(terminalOnly.stdout).not.toMatch(/  (demo|backend|wallet|sim) /);
    expect((await inProcess(['wallet'])).code).toBe(2);
    expect((await inProcess([])).code).toBe(2);
    const unknown = await inProcess(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

});
