/** Every `kassa` subcommand, in the order `kassa --help` lists them. */
import type { Command } from '../command.ts';
import { backendCommand } from './backend.ts';
import { demoCommand } from './demo.ts';
import { devicesCommand } from './devices.ts';
import { inspectCommand } from './inspect.ts';
import { simCommand } from './sim.ts';
import { verifyCommand } from './verify.ts';
import { walletCommand } from './wallet.ts';

export const COMMANDS: readonly Command[] = [demoCommand, verifyCommand, inspectCommand, devicesCommand, simCommand, backendCommand, walletCommand];
