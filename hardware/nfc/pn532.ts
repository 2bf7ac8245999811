/**
 * The PN532 over UART (HSU, 115200 baud): commands with the ACK-then-response handshake,
 * one at a time, and InDataExchange with MI chaining both ways for data beyond one frame.
 * Frames longer than 255 bytes go out and come back as extended frames (pn532-frame.ts).
 */
import { Emitter } from '../../base/common/emitter.ts';
import { deviceError, DeviceFailure, type DeviceError } from '../core/errors.ts';
import type { DeviceStatus } from '../core/status.ts';
import type { SerialLink } from '../serial/serial-link.ts';
import {
  COMMAND,
  inDataExchange,
  inListPassiveTarget106A,
  inRelease,
  MAX_EXCHANGE_DATA,
  maxRetries,
  parseDataExchange,
  parseFirmware,
  parseTargets,
  samConfigurationNormal,
  WAKE_UP,
  type Firmware,
  type Exchanged,
  type Parsed,
  type Target,
} from './pn532-commands.ts';
import { encodeFrame, NACK_FRAME, Pn532Framer, TFI_HOST, TFI_PN532, type Pn532FrameEvent } from './pn532-frame.ts';

export interface Pn532Options {
  /** Wait for the ACK of a command. Default 1000 ms (generous: the chip ACKs within 1 ms). */
  ackTimeoutMs?: number;
  /** Wait for a response after its ACK. Default 2000 ms. */
  responseTimeoutMs?: number;
}

/** Returns whether it took the event. */
type Waiter = (event: Pn532FrameEvent) => boolean;
/** Frames that arrived before anyone waited for them (an ACK and its response often share a read). */
const INBOX_LIMIT = 8;

export class Pn532 extends Emitter<{ error: [DeviceError] }> {
  private readonly link: SerialLink;
  private readonly framer = new Pn532Framer();
  private readonly ackTimeoutMs: number;
  private readonly responseTimeoutMs: number;
  private waiter: Waiter | undefined;
  private inbox: Pn532FrameEvent[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(link: SerialLink, options: Pn532Options = {}) {
    super();
    this.link = link;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1000;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 2000;
    link.on('data', (chunk) => {
      for (const event of this.framer.push(chunk)) {
        if (event.kind === 'error') this.emit('error', event.error);
        else if (!this.waiter?.(event)) this.inbox = [...this.inbox, event].slice(-INBOX_LIMIT);
      }
    });
    link.on('closed', () => {
      this.framer.reset();
      this.inbox = [];
    });
  }

  get status(): DeviceStatus {
    return this.link.status;
  }

  /** Wakes the chip from its power-on low-battery mode and configures it; returns the firmware. */
  async initialize(): Promise<Firmware> {
    await this.link.write(WAKE_UP);
    await this.command(samConfigurationNormal());
    const firmware = parsedOrFail(parseFirmware(await this.command(Uint8Array.of(COMMAND.GetFirmwareVersion))));
    if (firmware.ic !== 0x32) throw new DeviceFailure(deviceError('UNSUPPORTED', `the reader reports IC 0x${firmware.ic.toString(16)}, not a PN532 (0x32)`));
    // Two activation attempts, so that polling returns "no card" instead of waiting for one.
    await this.command(maxRetries(0x02));
    return firmware;
  }

  /** Looks once for a 106 kbps type A target (phone or tag). */
  async poll(): Promise<Target | undefined> {
    return parsedOrFail(parseTargets(await this.command(inListPassiveTarget106A())));
  }

  /** Sends `data` to the target and returns its whole answer, chaining with MI as needed. */
  async transceive(tg: number, data: Uint8Array): Promise<Uint8Array> {
    let answer: Exchanged = { data: new Uint8Array(0), more: false };
    for (let offset = 0; offset === 0 || offset < data.length; offset += MAX_EXCHANGE_DATA) {
      const more = offset + MAX_EXCHANGE_DATA < data.length;
      answer = parsedOrFail(parseDataExchange(await this.command(inDataExchange(tg, data.subarray(offset, offset + MAX_EXCHANGE_DATA), more))));
      if (more && answer.data.length > 0) throw new DeviceFailure(deviceError('PROTOCOL', 'the target answered before the chained command was complete'));
    }
    const parts = [answer.data];
    while (answer.more) {
      answer = parsedOrFail(parseDataExchange(await this.command(inDataExchange(tg, new Uint8Array(0), false))));
      parts.push(answer.data);
    }
    return Uint8Array.from(parts.flatMap((p) => [...p]));
  }

  async release(tg: number): Promise<void> {
    await this.command(inRelease(tg));
  }

  /** Runs one command: frame out, ACK in, response in. Commands never overlap. */
  command(body: Uint8Array): Promise<Uint8Array> {
    const run = () => this.runCommand(body);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runCommand(body: Uint8Array): Promise<Uint8Array> {
    const code = body[0]!;
    const frame = encodeFrame(TFI_HOST, body);
    this.inbox = []; // whatever is left belongs to a command that timed out
    for (let attempt = 0; ; attempt++) {
      const ack = this.next(this.ackTimeoutMs, (e) => e.kind === 'ack' || e.kind === 'nack' || e.kind === 'app-error');
      await this.link.write(frame);
      const reply = await ack;
      if (reply === undefined) throw this.timeout(`no ACK for command 0x${hex(code)}`);
      if (reply.kind === 'app-error') throw new DeviceFailure(deviceError('PROTOCOL', `the PN532 rejected command 0x${hex(code)} as malformed`));
      if (reply.kind === 'ack') break;
      if (attempt >= 1) throw new DeviceFailure(deviceError('NAK', `the PN532 NACKed command 0x${hex(code)} twice`));
    }
    for (let attempt = 0; ; attempt++) {
      const response = await this.next(this.responseTimeoutMs, (e) => e.kind === 'frame' || e.kind === 'app-error');
      if (response === undefined) throw this.timeout(`no response to command 0x${hex(code)}`);
      if (response.kind === 'app-error') throw new DeviceFailure(deviceError('PROTOCOL', `the PN532 reported an application error for command 0x${hex(code)}`));
      if (response.kind === 'frame' && response.tfi === TFI_PN532 && response.body[0] === code + 1) return response.body;
      // A frame for something else: ask for the response again, once.
      if (attempt >= 1) throw new DeviceFailure(deviceError('PROTOCOL', `unexpected PN532 frame while waiting for the response to 0x${hex(code)}`));
      await this.link.write(NACK_FRAME);
    }
  }

  private next(timeoutMs: number, accept: (event: Pn532FrameEvent) => boolean): Promise<Pn532FrameEvent | undefined> {
    const waiting = this.inbox.findIndex(accept);
    if (waiting >= 0) return Promise.resolve(this.inbox.splice(waiting, 1)[0]);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (event: Pn532FrameEvent | undefined) => {
        clearTimeout(timer);
        if (this.waiter === waiter) this.waiter = undefined;
        resolve(event);
      };
      const waiter: Waiter = (event) => {
        if (!accept(event)) return false;
        finish(event);
        return true;
      };
      this.waiter = waiter;
    });
  }

  private timeout(what: string): DeviceFailure {
    const path = this.link.status.path;
    return new DeviceFailure(
      deviceError('TIMEOUT', `${what} from the PN532${path ? ` on ${path}` : ''}`, {
        ...(path ? { device: path } : {}),
        hint: 'check that the PN532 board is set to HSU (UART) mode with its switches or jumpers, and wired TX↔RX at 115200 baud',
      }),
    );
  }
}

function parsedOrFail<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new DeviceFailure(parsed.error);
  return parsed.value;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
