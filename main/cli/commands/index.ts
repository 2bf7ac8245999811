/** Every `kassa` subcommand, in the order `kassa --help` lists them. */
import type { Command } from '../command.ts';
import { acceptCommand } from './accept.ts';
import { backendCommand } from './backend.ts';
import { demoCommand } from './demo.ts';
import { devicesCommand } from './devices.ts';
import { enrollCommand } from './enroll.ts';
import { inspectCommand } from './inspect.ts';
import { requestCommand } from './request.ts';
import { serveCommand } from './serve.ts';
import { settleCommand } from './settle.ts';
import { simCommand } from './sim.ts';
import { statusCommand } from './status.ts';
import { verifyCommand } from './verify.ts';
import { walletCommand } from './wallet.ts';

export const COMMANDS: readonly Command[] = [
  demoCommand,
  serveCommand,
  enrollCommand,
  requestCommand,
  acceptCommand,
  settleCommand,
  statusCommand,
  verifyCommand,
  inspectCommand,
  devicesCommand,
  simCommand,
  backendCommand,
  walletCommand,
];
