/**
 * Test support for the VSE: a scheme (root, issuers, trust list), a real VSE process under
 * the permission model in a fresh data folder, enrolment the way `kassa enroll` will do it
 * (the VSE's public key certified by the scheme's terminal issuer), and wallets that pay the
 * VSE's own `KR1:` requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bundleText, PREFIX, signObject, SIGNED, verifyTrustList, type Iou, type VerifiedTrustList, type WalletCertificate, type TerminalCertificate } from '../../protocol/index.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../vse/crypto/node-es256.ts';
import type { RiskPolicyOverrides, VseEvent, VseParams } from '../../vse/contract/rpc.ts';
import { Vse } from '../../vse/vse.ts';
import { Scheme } from '../../sim/scheme/scheme.ts';
import { FRESH_COUNTER, payRequest, type WalletCounter, type WalletReservation } from '../../sim/wallet/wallet.ts';
import { forkLauncher } from '../../main/vse/launcher.ts';
import { VseSupervisor, type VseSupervisorOptions } from '../../main/vse/supervisor.ts';

export const DAY = 86_400;
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Caps high enough that policy never gets in a test's way unless the test is about policy. */
export const GENEROUS_POLICY: RiskPolicyOverrides = {
  defaultLimits: { maxPaymentAmount: 1e12, maxUnsettledTotal: 1e15, maxUnsettledPerReservation: 1e15 },
};

export interface TestScheme {
  scheme: Scheme;
  now: number;
  trustListCose: Uint8Array;
  trustList: VerifiedTrustList;
}

export function testScheme(now = nowSeconds()): TestScheme {
  const scheme = Scheme.generate(now);
  const trustListCose = scheme.trustList(1, now);
  const verified = verifyTrustList(trustListCose, [scheme.root.publicKey], nodeVerify);
  if (!verified.ok) throw new Error(verified.detail);
  return { scheme, now, trustListCose, trustList: verified.trustList };
}

export function tempDataDir(prefix = 'kassa-vse-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function terminalCertificateFor(world: TestScheme, terminalKey: Uint8Array, terminalId = 'TERM-0000042'): Uint8Array {
  const certificate: TerminalCertificate = {
    merchantId: 'MERCH-000042',
    terminalId,
    terminalKey,
    merchantName: 'Stadsbageriet på Gamla stan AB',
    notBefore: world.now - DAY,
    notAfter: world.now + 365 * DAY,
  };
  return world.scheme.certifyTerminal(certificate);
}

export interface StartOptions {
  dataDir: string;
  databaseKey?: Uint8Array;
  policy?: RiskPolicyOverrides;
  testMode?: boolean;
  init?: Partial<VseParams<'init'>>;
  defaultTimeoutMs?: number;
  restart?: VseSupervisorOptions['restart'];
}

export function supervisorFor(world: TestScheme, options: StartOptions): VseSupervisor {
  return new VseSupervisor({
    launcher: forkLauncher({ dataDir: options.dataDir, testMode: options.testMode ?? true }),
    init: {
      dataDir: options.dataDir,
      databaseKey: options.databaseKey ?? new Uint8Array(32).fill(0x42),
      rootKeys: [world.scheme.root.publicKey],
      policy: options.policy ?? GENEROUS_POLICY,
      ...options.init,
    },
    defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
    restart: { initialDelayMs: 10, maxDelayMs: 200, ...options.restart },
  });
}

/** Starts a VSE and enrols it: trust list, then its own key certified by the terminal issuer. */
export async function startEnrolledVse(world: TestScheme, options: StartOptions): Promise<VseSupervisor> {
  const vse = supervisorFor(world, options);
  const init = await vse.start();
  if (init.terminalId === null) {
    await vse.call('installTrustList', { trustList: world.trustListCose });
    await vse.call('installTerminalCertificate', { certificate: terminalCertificateFor(world, init.terminalKey) });
  }
  return vse;
}

/** A payer with one reservation, keeping its own counter. */
export class TestWallet {
  readonly reservation: WalletReservation;
  readonly certificate: WalletCertificate;
  counter: WalletCounter = FRESH_COUNTER;
  private readonly world: TestScheme;

  constructor(world: TestScheme, reservedAmount = 1e12) {
    this.world = world;
    const signer = nodeSigner(generateP256PrivateKey());
    this.certificate = {
      reservationId: new Uint8Array(randomBytes(16)),
      walletKey: signer.publicKey,
      currency: 'SEK',
      reservedAmount,
      notBefore: world.now - DAY,
      notAfter: world.now + 30 * DAY,
    };
    this.reservation = { certificate: world.scheme.certifyWallet(this.certificate), signer };
  }

  /** A `KP1:` text with an IOU of this reservation built by hand (no request needed). */
  iouText(iou: Partial<Iou> & { payee?: string }): string {
    const full: Iou = {
      reservationId: this.certificate.reservationId,
      seq: 1,
      spentBefore: 0,
      currency: 'SEK',
      amount: 1_000,
      payee: 'TERM-0000042',
      created: this.world.now,
      ...iou,
    };
    return bundleText(PREFIX.payment, [this.reservation.certificate, signObject(SIGNED.iou, full, this.reservation.signer)]);
  }

  /** Pays a `KR1:` text and moves the counter on; throws if the wallet refuses. */
  pay(requestText: string, now = nowSeconds()): string {
    const paid = payRequest(requestText, this.reservation, this.counter, { trustList: this.world.trustList, now, verify: nodeVerify });
    if (!paid.ok) throw new Error(`wallet refused: ${paid.refusal} ${paid.detail}`);
    this.counter = paid.counter;
    return paid.text;
  }
}

export async function requestAndPay(vse: VseSupervisor, wallet: TestWallet, amount = 1_000): Promise<string> {
  const request = await vse.call('createPaymentRequest', { amount, currency: 'SEK', ttlSeconds: 120 });
  return wallet.pay(request.text);
}

/** A VSE object in this process, on a real encrypted database, with a clock the test moves. */
export interface InProcessVse {
  vse: Vse;
  clock: { now: number };
  events: VseEvent[];
  dataDir: string;
  reopen(): InProcessVse;
}

export function openInProcess(world: TestScheme, dataDir: string, policy: RiskPolicyOverrides = GENEROUS_POLICY, clock = { now: world.now }): InProcessVse {
  const events: VseEvent[] = [];
  const vse = Vse.open({
    dataDir,
    databaseKey: new Uint8Array(32).fill(0x42),
    rootKeys: [world.scheme.root.publicKey],
    policy,
    testMode: true,
    clock: () => clock.now,
    emit: (event) => events.push(event),
  });
  return {
    vse,
    clock,
    events,
    dataDir,
    reopen: () => {
      vse.close();
      return openInProcess(world, dataDir, policy, clock);
    },
  };
}

/** Installs the trust list and a certificate for the VSE's own key. */
export function enrollInProcess(world: TestScheme, vse: Vse, terminalId = 'TERM-0000042'): void {
  vse.installTrustList({ trustList: world.trustListCose });
  vse.installTerminalCertificate({ certificate: terminalCertificateFor(world, vse.terminalKey, terminalId) });
}
