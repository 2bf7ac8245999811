/**
 * The VSE process entry. Started by the host's supervisor (main/vse/) with
 * `child_process.fork` under the Node permission model, or as an Electron utilityProcess.
 * It holds nothing until `init` brings the database key; it answers on its message port only.
 *
 *   node --permission --allow-fs-read=… --allow-fs-write=DATA --allow-addons vse/main.ts [--test-mode]
 */
import { processPort } from './rpc/port.ts';
import { RpcServer } from './rpc/server.ts';

const port = processPort();
const server = new RpcServer(port, {
  testMode: process.argv.includes('--test-mode'),
  exit: (code) => process.exit(code),
  log: (line) => process.stderr.write(`${line}\n`),
});
port.onMessage((message) => server.handle(message));
// Without its host nobody can hear an answer: close the database cleanly and go.
port.onHostGone(() => {
  server.close();
  process.exit(0);
});
port.send({ kind: 'ready', pid: process.pid });
