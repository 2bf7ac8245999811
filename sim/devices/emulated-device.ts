/**
 * What every emulator shares: it sits on the device end of its own socat pty pair, so the
 * driver under test opens `hostPath` like a real port. Unplugging closes the device end and
 * ends socat (the ptys vanish); plugging starts a new pair behind the same paths.
 */
import { DeviceEnd } from './device-end.ts';
import { PtyPair, type PtyPairOptions } from './pty-pair.ts';

export abstract class EmulatedDevice {
  protected readonly pair: PtyPair;
  protected end: DeviceEnd | undefined;
  private readonly baudRate: number;

  protected constructor(pair: PtyPair, baudRate: number) {
    this.pair = pair;
    this.baudRate = baudRate;
  }

  /**
   * Opens a pty pair (or uses `pair`) and attaches `device` to its device end; a new pair's host
   * link appears only once the device listens.
   */
  protected static async attach<D extends EmulatedDevice>(make: (pair: PtyPair) => D, pair?: PtyPair | PtyPairOptions): Promise<D> {
    if (pair instanceof PtyPair) {
      const device = make(pair);
      await device.openEnd();
      return device;
    }
    const unplugged = await PtyPair.create(pair);
    const device = make(unplugged);
    await device.plug();
    return device;
  }

  /** The path the driver under test opens. */
  get hostPath(): string {
    return this.pair.hostPath;
  }

  get plugged(): boolean {
    return this.end !== undefined;
  }

  /** The socat process behind the pty pair, while plugged. */
  get socatPid(): number | undefined {
    return this.pair.pid;
  }

  /** Pulls the cable: the device end closes and both ptys vanish. */
  async unplug(): Promise<void> {
    const end = this.end;
    this.end = undefined;
    await end?.close();
    await this.pair.unplug();
    this.onUnplug();
  }

  /** Plugs the device back in behind the same path: it listens before the host link appears. */
  async plug(): Promise<void> {
    await this.pair.plug({ beforeHostAppears: () => this.openEnd() });
  }

  async close(): Promise<void> {
    await this.unplug();
    await this.pair.close();
  }

  protected async write(bytes: Uint8Array): Promise<void> {
    if (!this.end) throw new Error('the emulated device is unplugged');
    await this.end.write(bytes);
  }

  /** Bytes the driver sent to the device. */
  protected onBytes(_chunk: Uint8Array): void {}

  /** Forget per-connection state (a real device loses it with its power). */
  protected onUnplug(): void {}

  private async openEnd(): Promise<void> {
    this.end = await DeviceEnd.open(this.pair.devicePath, this.baudRate);
    this.end.onData((chunk) => this.onBytes(chunk));
  }
}
