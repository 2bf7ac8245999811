/** `kassa sim`: the scanner subcommand writes into a real pty; the printer runs as a real process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialScanner } from '../../../hardware/scanner/serial-scanner.ts';
import { SerialPrinter } from '../../../hardware/printer/printer.ts';
import { EscPos } from '../../../hardware/printer/escpos.ts';
import { PtyPair } from '../../devices/pty-pair.ts';
import { paymentText, paymentWorld } from '../../fixtures/payments.ts';
import { record, waitForCount, waitUntil } from '../../../test/support/wait.ts';
import { main } from '../kassa.ts';

const KASSA = fileURLToPath(new URL('../kassa.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function sim(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['sim', ...args], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => stdin });
  return { code, out, err };
}

describe('kassa sim scanner', () => {
  it('types a real payment into a serial port, where the serial scanner driver reads it', async () => {
    const pair = await PtyPair.open();
    const scanner = new SerialScanner({ path: pair.hostPath, retryMs: 50 });
    cleanups.push(() => pair.close(), () => scanner.stop());
    const scans = record(scanner, 'scan');
    scanner.start();
    await waitUntil('the driver to open its end', () => scanner.status.state === 'ready');
    const text = paymentText(paymentWorld());
    expect(await sim(['scanner', '--port', pair.devicePath, text])).toMatchObject({ code: 0, out: expect.stringContaining(`scanned ${text.length} characters`) });
    // Each `kassa sim scanner` opens the port anew, and opening flushes what socat has not
    // relayed yet (DeviceEnd): the next scan is typed once this one has arrived, as a person would.
    await waitForCount('scans', scans, 1);
    expect((await sim(['scanner', '--port', pair.devicePath, '--suffix', 'CR', '-'], 'KP1:FROM-STDIN\n')).code).toBe(0);
    await waitForCount('scans', scans, 2);
    expect(scans.map((s) => s.text)).toEqual([text, 'KP1:FROM-STDIN']);
  });

  it('answers usage errors with exit code 2, and a missing port with 1', async () => {
    expect((await sim(['scanner', 'KP1:X'])).code).toBe(2);
    expect((await sim(['scanner', '--port', '/dev/x', '--suffix', 'TAB', 'KP1:X'])).code).toBe(2);
    expect((await sim(['laser'])).code).toBe(2);
    const missing = await sim(['scanner', '--port', '/nonexistent/tty', 'KP1:X']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot open /nonexistent/tty');
  });
});

/** A child's stdout and stderr together, and a way to wait for what it prints. */
class ProcessOutput {
  text = '';
  private readonly changed = new EventEmitter();
  private exitCode: number | null | undefined;

  constructor(child: ChildProcess) {
    const take = (chunk: Buffer) => {
      this.text += chunk.toString();
      this.changed.emit('change');
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('exit', (code) => {
      this.exitCode = code;
      this.changed.emit('change');
    });
  }

  /** Resolves when the output matches `pattern`; rejects if the process ends first. */
  match(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.text.match(pattern);
        if (found) resolve(found);
        else if (this.exitCode !== undefined) reject(new Error(`the process ended (${this.exitCode}) without printing ${pattern}:\n${this.text}`));
        else return;
        this.changed.off('change', check);
      };
      this.changed.on('change', check);
      check();
    });
  }
}

describe('kassa sim printer', () => {
  // A process start can take many seconds on a loaded machine: its output is waited for as an
  // event, bounded only by the test's own timeout.
  it('runs an emulated printer that shows what Kassa prints, until interrupted', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [KASSA, 'sim', 'printer'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = new ProcessOutput(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const port = (await output.match(/give Kassa the port (\S+)/))[1]!;
    const printer = new SerialPrinter({ path: port, retryMs: 50 });
    cleanups.push(() => printer.stop());
    printer.start();
    await waitUntil('the printer driver to be ready', () => printer.status.state === 'ready');
    await printer.print(new EscPos().init().align('center').line('Stadsbageriet').qr('KA1:DEMO').cut().bytes());
    await output.match(/\| \[QR KA1:DEMO\]/);
    expect(output.text).toContain('| Stadsbageriet');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
