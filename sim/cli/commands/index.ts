/**
 * The other parties' commands — the reference backend, the payer's wallet, the device
 * emulators and the demo that plays them all — which a checkout's `./kassa` lists after the
 * terminal's own. A packaged Kassa ships none of them.
 */
import type { CommandEntry } from '../../../main/cli/command.ts';

export const SIM_COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'run the Reserve → Pay → Settle story on this machine: the cashier UI in the browser, or printed (--no-ui)',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    name: 'backend',
    summary: 'run the reference backend (OIP/1 §5) or an operator action on its database',
    load: async () => (await import('./backend.ts')).backendCommand,
  },
  {
    name: 'wallet',
    summary: "the payer's wallet simulator: reserve funds, pay KR1: requests with KP1: payments",
    load: async () => (await import('./wallet.ts')).walletCommand,
  },
  {
    name: 'sim',
    summary: 'emulated counter devices: type a scan into a serial port, run a pty pair or a receipt printer',
    load: async () => (await import('./sim.ts')).simCommand,
  },
];
