/**
 * A PN532 on a UART (HSU), as libnfc's pn532_uart driver meets it: it ACKs each valid frame,
 * answers GetFirmwareVersion, SAMConfiguration, RFConfiguration, InListPassiveTarget (106 kbps
 * type A), InDataExchange (with MI chaining both ways, extended frames past 255 bytes) and
 * InRelease, re-sends its last response on a NACK, and ignores frames whose checksums fail.
 * Behind its antenna sits whatever `present()` put there: a phone wallet or a tag.
 */
import { COMMAND, MAX_EXCHANGE_DATA, MORE_INFORMATION } from '../../hardware/nfc/pn532-commands.ts';
import { ACK_FRAME, encodeFrame, Pn532Framer, TFI_HOST, TFI_PN532 } from '../../hardware/nfc/pn532-frame.ts';
import { EmulatedDevice } from './emulated-device.ts';
import type { EmulatedTarget } from './phone-wallet.ts';
import type { PtyPair, PtyPairOptions } from './pty-pair.ts';

const FIRMWARE = Uint8Array.of(0x32, 0x01, 0x06, 0x07); // PN532 v1.6, ISO 14443A/B and ISO 18092

export class Pn532Emulator extends EmulatedDevice {
  /** Command codes received, in order (for assertions). */
  readonly commands: number[] = [];
  /** How many InDataExchange frames arrived with the MI bit (host-side chaining). */
  chainedFramesIn = 0;
  /** How many responses went out with the MI bit (PN532-side chaining). */
  chainedFramesOut = 0;
  /** How many frames went out as extended frames. */
  extendedFramesOut = 0;
  private readonly framer = new Pn532Framer();
  private target: EmulatedTarget | undefined;
  private activated = false;
  private incoming: number[] = [];
  private outgoing: Uint8Array = new Uint8Array(0);
  private lastResponse: Uint8Array | undefined;
  private awake = false;

  private constructor(pair: PtyPair) {
    super(pair, 115_200);
  }

  static start(pair?: PtyPair | PtyPairOptions): Promise<Pn532Emulator> {
    return EmulatedDevice.attach((p) => new Pn532Emulator(p), pair);
  }

  /** Holds a phone or tag to the antenna. */
  present(target: EmulatedTarget): void {
    this.target = target;
    this.activated = false;
  }

  /** Takes it away. */
  remove(): void {
    this.target = undefined;
    this.activated = false;
  }

  protected override onBytes(chunk: Uint8Array): void {
    for (const event of this.framer.push(chunk)) {
      if (event.kind === 'nack' && this.lastResponse) void this.send(this.lastResponse);
      if (event.kind !== 'frame' || event.tfi !== TFI_HOST || event.body.length === 0) continue;
      void this.send(ACK_FRAME).then(() => {
        const response = this.handle(event.body);
        if (response === undefined) return;
        const frame = encodeFrame(TFI_PN532, response);
        if (frame[3] === 0xff && frame[4] === 0xff) this.extendedFramesOut++;
        this.lastResponse = frame;
        return this.send(frame);
      });
    }
  }

  protected override onUnplug(): void {
    this.framer.reset();
    this.awake = false;
    this.activated = false;
    this.incoming = [];
    this.outgoing = new Uint8Array(0);
  }

  private async send(bytes: Uint8Array): Promise<void> {
    await this.write(bytes).catch(() => undefined);
  }

  private handle(body: Uint8Array): Uint8Array | undefined {
    const code = body[0]!;
    this.commands.push(code);
    const reply = (...bytes: number[]) => Uint8Array.from([code + 1, ...bytes]);
    switch (code) {
      case COMMAND.SAMConfiguration:
        this.awake = true;
        return reply();
      case COMMAND.GetFirmwareVersion:
        return this.awake ? reply(...FIRMWARE) : undefined; // asleep in low-battery mode: no answer
      case COMMAND.RFConfiguration:
        return reply();
      case COMMAND.InListPassiveTarget: {
        if (!this.target) return reply(0x00);
        this.activated = true;
        const t = this.target;
        return reply(0x01, 0x01, t.sensRes >> 8, t.sensRes & 0xff, t.selRes, t.uid.length, ...t.uid, ...(t.ats ?? []));
      }
      case COMMAND.InDataExchange:
        return this.exchange(body[1] ?? 0, body.subarray(2), reply);
      case COMMAND.InRelease:
        this.activated = false;
        return reply(0x00);
      default:
        return Uint8Array.of(0x7f); // unknown command: the syntax-error frame's payload
    }
  }

  private exchange(tg: number, data: Uint8Array, reply: (...bytes: number[]) => Uint8Array): Uint8Array {
    if (!this.target || !this.activated || (tg & 0x3f) !== 0x01) return reply(this.target ? 0x27 : 0x01);
    if (tg & MORE_INFORMATION) {
      this.chainedFramesIn++;
      this.incoming.push(...data);
      return reply(0x00);
    }
    if (data.length === 0 && this.outgoing.length > 0) return this.sendOutgoing(reply);
    const command = Uint8Array.from([...this.incoming, ...data]);
    this.incoming = [];
    this.outgoing = this.target.exchange(command);
    return this.sendOutgoing(reply);
  }

  private sendOutgoing(reply: (...bytes: number[]) => Uint8Array): Uint8Array {
    const part = this.outgoing.subarray(0, MAX_EXCHANGE_DATA);
    this.outgoing = this.outgoing.slice(part.length);
    const more = this.outgoing.length > 0;
    if (more) this.chainedFramesOut++;
    return reply(more ? MORE_INFORMATION : 0x00, ...part);
  }
}
