/**
 * Test support for the cash-register (ECR) API with real parts: the reference backend as a
 * process, a terminal enrolled with it the way `kassa enroll` does, its data folder opened by a
 * real AppHost (VSE process, PaymentService, DeviceService with the serial scanner emulator on a
 * socat pty), the app API server, the ECR routes on a fastify server listening on loopback, a
 * register credential made by `kassa ecr add`'s code, and a payer whose reservation the backend
 * made, paying with the wallet simulator.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { verifyTrustList, type VerifiedTrustList } from '../../protocol/index.ts';
import { registerEcrRoutes } from '../../main/ecr/nexo-routes.ts';
import { addRegister, changeRegisters } from '../../main/ecr/registers.ts';
import { AppApiServer } from '../../main/host/app-api-server.ts';
import { AppHost } from '../../main/host/app-host.ts';
import { hostSection, type EcrClient } from '../../main/host/host-settings.ts';
import { readConfigFile, writeTerminalConfig } from '../../main/terminal/config.ts';
import { enroll } from '../../main/terminal/enrollment.ts';
import { DeviceManager } from '../../hardware/manager/device-manager.ts';
import { ExampleRegister } from '../../sim/ecr/example-register.ts';
import { SerialScannerEmulator } from '../../sim/devices/serial-scanner.ts';
import { FRESH_COUNTER, payRequest, type WalletCounter, type WalletReservation } from '../../sim/wallet/wallet.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../base/node/node-es256.ts';
import { startBackendFixture, type BackendFixture } from './backend.ts';
import { waitUntil } from './wait.ts';

/** A payer's wallet: a reservation the backend made, the trust list it checked, its counter. */
export class TestPayer {
  private counter: WalletCounter = FRESH_COUNTER;
  private readonly reservation: WalletReservation;
  private readonly trustList: VerifiedTrustList;

  private constructor(reservation: WalletReservation, trustList: VerifiedTrustList) {
    this.reservation = reservation;
    this.trustList = trustList;
  }

  static async reserve(fx: BackendFixture, account: string, amount: number): Promise<TestPayer> {
    const list = await fx.client.trustList();
    if (!list.ok) throw new Error(`no trust list: ${list.error.detail}`);
    const verified = verifyTrustList(list.value, fx.rootKeys, nodeVerify);
    if (!verified.ok) throw new Error(`trust list does not verify: ${verified.detail}`);
    const signer = nodeSigner(generateP256PrivateKey());
    const answer = await fx.client.reserve({ account, walletKey: signer.publicKey, currency: 'SEK', amount });
    if (!answer.ok) throw new Error(`reservation refused: ${answer.error.detail}`);
    return new TestPayer({ certificate: answer.value.certificate, signer }, verified.trustList);
  }

  /** The `KP1:` answer to a `KR1:` request, as the payer's wallet makes it. */
  pay(requestText: string): string {
    const paid = payRequest(requestText, this.reservation, this.counter, { trustList: this.trustList, now: Math.floor(Date.now() / 1000), verify: nodeVerify });
    if (!paid.ok) throw new Error(`${paid.refusal}: ${paid.detail}`);
    this.counter = paid.counter;
    return paid.text;
  }
}

export interface EcrHost {
  host: AppHost;
  api: AppApiServer;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export interface EcrWorld {
  fx: BackendFixture;
  dataDir: string;
  scanner: SerialScannerEmulator;
  /** The register's token, as `kassa ecr add` printed it. */
  token: string;
  /** The register list the routes read on every request (a test may revoke in it). */
  clients: EcrClient[];
  running: EcrHost;
  payer: TestPayer;
  /** A register speaking to the running host. */
  register(options?: { saleId?: string; token?: string }): ExampleRegister;
  /** Closes the host and opens it again on the same data folder (a new port). */
  restart(): Promise<void>;
  /** Waits until the till shows an open request and returns its `KR1:` text. */
  openRequestText(): Promise<string>;
  close(): Promise<void>;
}

export const ACCOUNT = 'ecr-payers';
let serviceIds = 1_000;

async function openHost(world: Pick<EcrWorld, 'dataDir' | 'clients'>): Promise<EcrHost> {
  const host = await AppHost.open({ dataDir: world.dataDir, env: {}, devices: (config) => new DeviceManager(config, { retryMs: 50 }) });
  const api = new AppApiServer(host);
  const app = Fastify({ logger: false });
  registerEcrRoutes(app, { api, host, clients: () => world.clients });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    host,
    api,
    app,
    url,
    close: async () => {
      await app.close();
      api.close();
      await host.close();
    },
  };
}

export async function startEcrWorld(): Promise<EcrWorld> {
  const fx = await startBackendFixture();
  const cleanups: (() => Promise<void> | void)[] = [() => fx.close()];
  try {
    await fx.admin.createAccount(ACCOUNT, 'SEK', 10_000_000);
    const dataDir = join(fx.folder, 'terminal');
    const { token: enrollmentToken } = await fx.admin.createEnrollmentToken({ merchantId: 'M-ECR', merchantName: 'Kassa Kiosk' });
    await enroll({ dataDir, env: {}, backendUrl: fx.backend.url, token: enrollmentToken, rootKeys: fx.backend.rootKeys });

    const scanner = await SerialScannerEmulator.start({ suffix: 'CR' });
    cleanups.push(() => scanner.close());
    const configFile = join(dataDir, 'config.json');
    const config = readConfigFile(configFile)!;
    writeTerminalConfig(configFile, { ...config, host: hostSection.parse({ ...config.host, devices: [{ id: 'front', driver: 'serial-scanner', path: scanner.hostPath, suffix: 'CR' }] }) });
    const token = changeRegisters({ dataDir }, (clients) => {
      const added = addRegister(clients, 'front-register');
      return { clients: added.clients, result: added.token };
    });

    const world: EcrWorld = {
      fx,
      dataDir,
      scanner,
      token,
      clients: [],
      running: undefined as unknown as EcrHost,
      payer: await TestPayer.reserve(fx, ACCOUNT, 1_000_000),
      register: (options = {}) => new ExampleRegister({ url: world.running.url, token: options.token ?? token, saleId: options.saleId ?? 'POS-1', firstServiceId: (serviceIds += 100) }),
      restart: async () => {
        await world.running.close();
        world.running = await openHost(world);
        await waitForScanner(world.running.host);
      },
      openRequestText: async () => {
        await waitUntil('the till to show an open request', () => world.running.host.payments.state.phase === 'awaiting');
        return world.running.host.payments.state.request!.text;
      },
      close: async () => {
        await world.running?.close();
        while (cleanups.length > 0) await cleanups.pop()!();
      },
    };
    world.running = await openHost(world);
    // The routes read the register list from the host's configuration, as the headless server wires them.
    world.clients = [...world.running.host.settings.ecr.clients];
    await waitForScanner(world.running.host);
    return world;
  } catch (error) {
    while (cleanups.length > 0) await cleanups.pop()!();
    throw error;
  }
}

async function waitForScanner(host: AppHost): Promise<void> {
  await waitUntil('the scanner to be ready', () => (host.devices?.devices ?? []).length > 0 && host.devices!.devices.every((d) => d.state === 'ready'));
}
