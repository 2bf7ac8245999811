/**
 * The demo with its UI (`kassa demo`): a reference backend, a payer's account, one terminal
 * enrolled in the demo's folder with an emulated serial QR scanner on a socat pty listed in its
 * `host.devices`, the app host in demo mode behind the headless server (the cashier UI, the
 * customer display, the cash registers' API) and the demo wallet's route, which pays through
 * that scanner. Everything is registered with the stage, which stops it in reverse order.
 */
import { join } from 'node:path';
import { formatAmount } from '../../../protocol/index.ts';
import { SerialScannerEmulator } from '../../devices/serial-scanner.ts';
import type { RiskPolicyOverrides } from '../../../vse/contract/rpc.ts';
import { registerEcrRoutes } from '../../../main/ecr/nexo-routes.ts';
import { AppHost } from '../../../main/host/app-host.ts';
import { hostSection } from '../../../main/host/host-settings.ts';
import { startHeadlessServer, type HeadlessPlugin, type HeadlessServer } from '../../../main/headless/server.ts';
import { readConfigFile, writeTerminalConfig } from '../../../main/terminal/config.ts';
import { enroll } from '../../../main/terminal/enrollment.ts';
import { DemoWallet } from './demo-wallet.ts';
import { RENDERER_DIST } from './renderer-build.ts';
import type { Stage } from './stage.ts';
import { demoWalletRoute } from './wallet-route.ts';

export const LIVE_DEMO = {
  account: 'alice',
  currency: 'SEK',
  accountBalance: 10_000_000,
  reservationAmount: 100_000,
  merchant: { merchantId: 'M-KAFFE', merchantName: 'Kaffebaren Demo' },
  terminalId: 'KAFFE-1',
  till: 'Demo till',
  scannerId: 'demo-scanner',
} as const;

export interface LiveDemoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The terminal's offline risk policy (the benchmarks raise its limits); default the product's. */
  policy?: RiskPolicyOverrides;
  /** The built renderer; default dist/renderer. */
  rendererDir?: string;
  /** Each step as it happens, for the person watching. */
  say?: (label: string, text: string) => void;
  /** What the demo wallet did, each time it pays. */
  onPaid?: (line: string) => void;
}

export interface LiveDemo {
  host: AppHost;
  server: HeadlessServer;
  scanner: SerialScannerEmulator;
  wallet: DemoWallet;
  /** The cashier's screen, with this launch's token. */
  url: string;
  /** The customer display, with the same token. */
  displayUrl: string;
  /** Every process the demo started: the backend, the VSE, socat. */
  pids: { backend: number; vse: number; socat: number };
}

const pidOf = (pid: number | undefined, what: string): number => {
  if (pid === undefined) throw new Error(`${what} has no process id`);
  return pid;
};

export async function startLiveDemo(stage: Stage, options: LiveDemoOptions = {}): Promise<LiveDemo> {
  const say = options.say ?? (() => undefined);
  const { account, currency, merchant, terminalId } = LIVE_DEMO;

  await stage.startBackend({ network: false });
  const backendPid = pidOf(stage.backend.child.pid, 'the backend');
  say('Backend', `the reference backend listens on ${stage.backend.url} (process ${backendPid})`);
  say('Files', `everything lives in ${stage.folder} and is removed when the demo stops`);
  await stage.admin.createAccount(account, currency, LIVE_DEMO.accountBalance);

  const scanner = await SerialScannerEmulator.start({ suffix: 'CR' }, { dir: stage.folder, hostName: 'scanner', deviceName: 'scanner-device' });
  stage.defer(() => scanner.close());
  const socatPid = pidOf(scanner.socatPid, 'socat');
  say('Scanner', `an emulated serial QR scanner (suffix CR) on ${scanner.hostPath} (socat, process ${socatPid})`);

  const dataDir = join(stage.folder, terminalId);
  const { token } = await stage.admin.createEnrollmentToken({ ...merchant, terminalId });
  // env {}: the demo's terminal uses its own key file, never a KASSA_DB_KEY from the shell.
  await enroll({ dataDir, env: {}, backendUrl: stage.backend.url, token, rootKeys: [stage.rootKey], terminalId });
  const configFile = join(dataDir, 'config.json');
  const config = readConfigFile(configFile)!;
  writeTerminalConfig(configFile, {
    ...config,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    host: hostSection.parse({ till: LIVE_DEMO.till, currency, devices: [{ id: LIVE_DEMO.scannerId, driver: 'serial-scanner', path: scanner.hostPath, suffix: 'CR' }] }),
  });

  const host = await AppHost.open({ dataDir, env: {}, demo: true });
  stage.defer(() => host.close());
  const vsePid = pidOf(host.terminalHost?.vse.pid, 'the VSE');
  say('Enroll', `terminal ${terminalId} of ${merchant.merchantName} made its key inside its VSE (process ${vsePid}); the backend certified it; its scanner is ${LIVE_DEMO.scannerId} in host.devices`);

  const wallet = await DemoWallet.open({
    path: join(stage.folder, 'wallet.json'),
    backendUrl: stage.backend.url,
    rootKeys: [stage.rootKey],
    account,
    currency,
    reservationAmount: LIVE_DEMO.reservationAmount,
    scanner,
  });
  say('Reserve', `the demo wallet reserved ${formatAmount(LIVE_DEMO.reservationAmount, currency)} of "${account}" online (reservation ${wallet.reservation.reservationId.slice(0, 12)}…)`);

  const ecr: HeadlessPlugin = (app, { api }) => void registerEcrRoutes(app, { api, host, clients: () => host.settings.ecr.clients });
  const server = await startHeadlessServer({
    host,
    port: options.port ?? 0,
    rendererDir: options.rendererDir ?? `${RENDERER_DIST}/`,
    plugins: [ecr, demoWalletRoute({ wallet, ...(options.onPaid === undefined ? {} : { onPaid: options.onPaid }) })],
  });
  stage.defer(() => server.close());

  return {
    host,
    server,
    scanner,
    wallet,
    url: server.url,
    displayUrl: `${server.origin}/display.html?token=${server.token}`,
    pids: { backend: backendPid, vse: vsePid, socat: socatPid },
  };
}

