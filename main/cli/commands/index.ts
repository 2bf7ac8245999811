/**
 * The terminal's commands, in the order `kassa --help` lists them: what a packaged Kassa
 * ships. (The other parties' commands — backend, wallet, device emulators, the demo — are in
 * sim/cli/commands/ and only a checkout's `./kassa` has them.)
 */
import type { CommandEntry } from '../command.ts';

export const TERMINAL_COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'run the terminal as a local web app (cashier screen in a browser, customer displays, cash registers)',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  {
    name: 'enroll',
    summary: 'enroll this terminal with a backend: key made in the VSE, certified, trust list installed',
    load: async () => (await import('./enroll.ts')).enrollCommand,
  },
  {
    name: 'request',
    summary: 'ask for a payment: print the VSE-signed KR1: payment request (optionally as a QR code)',
    load: async () => (await import('./request.ts')).requestCommand,
  },
  {
    name: 'accept',
    summary: 'take a KP1: payment: verify it offline in the VSE, store it, print the outcome and the KA1: receipt',
    load: async () => (await import('./accept.ts')).acceptCommand,
  },
  {
    name: 'settle',
    summary: 'settle now: send the stored IOUs to the backend, print each result and what is left',
    load: async () => (await import('./settle.ts')).settleCommand,
  },
  {
    name: 'report',
    summary: 'end-of-day report for a business day: close it (numbered Z report), print it, save it as PDF or CSV',
    load: async () => (await import('./report.ts')).reportCommand,
  },
  {
    name: 'status',
    summary: 'show unsettled payments per currency, the last settlement and what needs attention',
    load: async () => (await import('./status.ts')).statusCommand,
  },
  {
    name: 'verify',
    summary: 'verify a KP1: payment offline (checks 1-11 of OIP/1 §4) and print JSON',
    load: async () => (await import('./verify.ts')).verifyCommand,
  },
  {
    name: 'inspect',
    summary: 'decode a KR1:, KP1: or KA1: text and print its objects as JSON (no verification)',
    load: async () => (await import('./inspect.ts')).inspectCommand,
  },
  {
    name: 'devices',
    summary: 'list attached scanners, NFC readers and printers, and whether Kassa can open them',
    load: async () => (await import('./devices.ts')).devicesCommand,
  },
  {
    name: 'ecr',
    summary: 'add, revoke and list the cash registers (ECR) that may start payments',
    load: async () => (await import('./ecr.ts')).ecrCommand,
  },
  {
    name: 'doctor',
    summary: 'check this terminal (folder, keys, database, trust list, devices, backend, clock) and say what to fix',
    load: async () => (await import('./doctor.ts')).doctorCommand,
  },
  {
    name: 'export',
    summary: 'write the audit log and every payment to one file signed by the terminal key (safe while the terminal runs)',
    load: async () => (await import('./export.ts')).exportCommand,
  },
  {
    name: 'verify-export',
    summary: 'check an export file with the scheme root key alone: signatures, audit chain, every payment',
    load: async () => (await import('./verify-export.ts')).verifyExportCommand,
  },
  {
    name: 'backup',
    summary: 'copy the encrypted database and config into a new folder, safe while the terminal runs',
    load: async () => (await import('./backup.ts')).backupCommand,
  },
  {
    name: 'restore',
    summary: 'restore a backup into a data folder without a database (refused while a terminal runs on it)',
    load: async () => (await import('./restore.ts')).restoreCommand,
  },
];
