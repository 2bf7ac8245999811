/**
 * Test support for the headless host with real parts: the reference backend as a process, a
 * terminal enrolled against it the way `kassa enroll` does, the app host with its own VSE
 * process, the real server on a free loopback port, WebSocket clients (the `ws` package) that
 * speak the app API, and a payer whose reservation the backend made.
 */
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { fromHex, verifyTrustList } from '../../protocol/index.ts';
import { createAppClient, type AppClient } from '../../main/contract/client.ts';
import { webSocketTransport, type WebSocketTransport } from '../../main/contract/websocket-transport.ts';
import { AppHost, type AppHostOptions } from '../../main/host/app-host.ts';
import { PAGES_DIR, startHeadlessServer, type HeadlessServer, type HeadlessServerOptions } from '../../main/headless/server.ts';
import { enroll } from '../../main/terminal/enrollment.ts';
import { FRESH_COUNTER, payRequest, type WalletCounter, type WalletReservation } from '../../sim/wallet/wallet.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../base/node/node-es256.ts';
import { startBackendFixture, type BackendFixture } from './backend.ts';
import { GENEROUS_POLICY } from './vse.ts';

export const ACCOUNT = 'shoppers';

export interface HeadlessWorld extends BackendFixture {
  /**
   * A fresh data folder enrolled with the backend (config.json, key file, VSE database);
   * `backendUrl` puts something between them (a fault proxy), `merchantName` names the shop.
   */
  enrolledFolder(name: string, options?: { backendUrl?: string; merchantName?: string }): Promise<string>;
  /** Opens an app host on `dataDir` and serves it; both are closed with the world. */
  serve(dataDir: string, options?: Omit<HeadlessServerOptions, 'host'> & { host?: Partial<AppHostOptions> }): Promise<{ host: AppHost; server: HeadlessServer }>;
  payer(amount?: number): Promise<Payer>;
}

export async function startHeadlessWorld(): Promise<HeadlessWorld> {
  const fixture = await startBackendFixture();
  await fixture.admin.createAccount(ACCOUNT, 'SEK', 1e12);
  const running: { host: AppHost; server: HeadlessServer }[] = [];
  return {
    ...fixture,
    async enrolledFolder(name, options = {}) {
      const dataDir = join(fixture.folder, name);
      const { token } = await fixture.admin.createEnrollmentToken({ merchantId: `M-${name}`, merchantName: options.merchantName ?? `Shop ${name}` });
      await enroll({ dataDir, env: {}, backendUrl: options.backendUrl ?? fixture.backend.url, token, rootKeys: fixture.backend.rootKeys, policy: GENEROUS_POLICY });
      return dataDir;
    },
    async serve(dataDir, options = {}) {
      const { host: hostOptions, ...serverOptions } = options;
      const host = await AppHost.open({ dataDir, env: {}, vseTimeoutMs: 20_000, policy: GENEROUS_POLICY, ...hostOptions });
      try {
        // The host's tests use its own placeholder page, built renderer or not; the UI's tests name the build.
        const server = await startHeadlessServer({ port: 0, rendererDir: PAGES_DIR, ...serverOptions, host });
        running.push({ host, server });
        return { host, server };
      } catch (error) {
        await host.close();
        throw error;
      }
    },
    payer: async (amount = 1e9) => {
      const signer = nodeSigner(generateP256PrivateKey());
      const answer = await fixture.client.reserve({ account: ACCOUNT, walletKey: signer.publicKey, currency: 'SEK', amount });
      if (!answer.ok) throw new Error(`reservation refused: ${answer.error.detail}`);
      return new Payer({ certificate: answer.value.certificate, signer }, fixture);
    },
    close: async () => {
      for (const { host, server } of running.splice(0)) {
        await server.close();
        await host.close();
      }
      await fixture.close();
    },
  };
}

/** A payer's wallet that pays `KR1:` requests the way a phone wallet would (checked against the trust list). */
export class Payer {
  private counter: WalletCounter = FRESH_COUNTER;
  private readonly reservation: WalletReservation;
  private readonly fixture: BackendFixture;

  constructor(reservation: WalletReservation, fixture: BackendFixture) {
    this.reservation = reservation;
    this.fixture = fixture;
  }

  /** The counter before the last payment: a double spend signs under it again. */
  private previous: WalletCounter | undefined;

  /**
   * The `KP1:` answer to `requestText`. A misbehaving wallet on purpose: `amount` signs another
   * amount than the one asked; `doubleSpend` signs under the last payment's sequence number
   * again (as `kassa wallet pay --double-spend` does) and leaves the counter where it was.
   */
  async pay(requestText: string, misbehave: { amount?: number; doubleSpend?: boolean } = {}): Promise<string> {
    const bytes = await this.fixture.client.trustList();
    if (!bytes.ok) throw new Error(`no trust list: ${bytes.error.detail}`);
    const trustList = verifyTrustList(bytes.value, this.fixture.backend.rootKeys.map((hex) => fromHex(hex)!), nodeVerify);
    if (!trustList.ok) throw new Error(`trust list refused: ${trustList.detail}`);
    if (misbehave.doubleSpend && this.previous === undefined) throw new Error('a double spend reuses the last payment\'s sequence number: pay once first');
    const counter = misbehave.doubleSpend ? this.previous! : this.counter;
    const paid = payRequest(requestText, this.reservation, counter, {
      trustList: trustList.trustList,
      now: Math.floor(Date.now() / 1000),
      verify: nodeVerify,
      ...(misbehave.amount === undefined ? {} : { amount: misbehave.amount }),
    });
    if (!paid.ok) throw new Error(`${paid.refusal}: ${paid.detail}`);
    if (!misbehave.doubleSpend) {
      this.previous = this.counter;
      this.counter = paid.counter;
    }
    return paid.text;
  }
}

export interface Connection {
  socket: WebSocket;
  transport: WebSocketTransport;
  client: AppClient;
  /** Every event heard so far, in order. */
  events: unknown[];
}

export interface ConnectOptions {
  /** `Authorization: Bearer …` (scripts and registers). */
  bearer?: string;
  /** A `Cookie:` header, as a browser sends it. */
  cookie?: string;
  /** The Origin header; browsers always send one on an upgrade. */
  origin?: string;
  path?: string;
}

/** Opens an app socket as a client would; resolves once it is open (rejects on a refused upgrade). */
export function connect(server: Pick<HeadlessServer, 'port'>, options: ConnectOptions = {}): Promise<Connection> {
  const headers: Record<string, string> = {};
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}${options.path ?? '/api/ws'}`, { headers, ...(options.origin === undefined ? {} : { origin: options.origin }) });
  const transport = webSocketTransport(socket);
  // ws reports a refused upgrade or a dropped connection as an 'error' too: the promise below and `closed` tell it.
  socket.on('error', () => undefined);
  const events: unknown[] = [];
  transport.onEvent((event) => events.push(event));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, transport, client: createAppClient(transport), events }));
    socket.once('unexpected-response', (_request, response) => {
      reject(Object.assign(new Error(`upgrade refused: HTTP ${response.statusCode}`), { statusCode: response.statusCode }));
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** Resolves with the HTTP status an upgrade was refused with (fails if it was accepted). */
export async function refusedUpgrade(server: Pick<HeadlessServer, 'port'>, options: ConnectOptions = {}): Promise<number> {
  try {
    const connection = await connect(server, options);
    connection.socket.terminate();
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined) return status;
    throw error;
  }
  throw new Error('the upgrade was accepted');
}

/** Sends raw text (or bytes) and resolves with the close code and reason the host answered with. */
export function closeAfter(connection: Connection, data: string | Buffer, options: { binary?: boolean } = {}): Promise<{ code: number; reason: string }> {
  connection.socket.send(data, { binary: options.binary ?? false });
  return connection.transport.closed;
}
