/**
 * The life of a pluggable device: find it, open it, notice when it goes, find it again.
 * One loop for every transport (serial ports, HID, printer files), so hot-plug behaves the
 * same everywhere: while the device is absent or unusable, `locate` and `connect` are retried
 * every `retryMs`; a status event is emitted only when what an operator would read changes.
 */
import { stat } from 'node:fs/promises';
import { Emitter } from '../../base/common/emitter.ts';
import { asDeviceError, deviceError, type DeviceError } from './errors.ts';
import { CLOSED, sameStatus, type DeviceStatus } from './status.ts';

export type Located = { path: string } | { absent: DeviceError };

/** Whether a device node (or a link to one) exists: `present` for path-based transports. */
export function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export interface LifecycleOptions<C> {
  /** Where the device is now, or why it cannot be found. */
  locate(): Promise<Located>;
  /**
   * Opens the device at `path`; calls `lost` (once) if it goes away later. Rejects with a
   * `DeviceFailure` whose code says why (NOT_FOUND, PERMISSION_DENIED, BUSY, ...).
   */
  connect(path: string, lost: (error: DeviceError) => void): Promise<C>;
  disconnect(connection: C): Promise<void>;
  /** Pause between attempts while the device is absent or unusable. */
  retryMs: number;
  /**
   * Whether the device node at `path` still exists, checked every `retryMs` while connected.
   * A transport's own loss signal can be missed — a pty whose peer vanished between two
   * reads, a USB serial driver that never reports an error — but a device node that is gone
   * is proof enough: it is then treated as lost.
   */
  present?(path: string): Promise<boolean>;
}

export type LifecycleEvents<C> = {
  status: [DeviceStatus];
  connected: [C];
  /** The connection ended (lost, or closed by `stop`): drop any half-received message. */
  disconnected: [C, DeviceError | undefined];
};

export class DeviceLifecycle<C> extends Emitter<LifecycleEvents<C>> {
  private readonly options: LifecycleOptions<C>;
  private current: DeviceStatus = CLOSED;
  private connection: C | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: LifecycleOptions<C>) {
    super();
    this.options = options;
  }

  get status(): DeviceStatus {
    return this.current;
  }

  /** The open connection, if the device is ready. */
  get open(): C | undefined {
    return this.connection;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private setStatus(status: DeviceStatus): void {
    if (sameStatus(status, this.current)) return;
    this.current = status;
    this.emit('status', status);
  }

  /** Sleeps `ms`, or until woken by `stop()` or a lost connection. */
  private pause(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let lastError: DeviceError | undefined;
    let lastPath: string | undefined;
    while (this.running) {
      const located = await this.options.locate().catch((reason: unknown): Located => ({ absent: asDeviceError(reason) }));
      if (!this.running) break;
      if ('absent' in located) {
        // A device that was lost stays reported as DISCONNECTED until it is found again.
        this.setStatus(lastError?.code === 'DISCONNECTED' ? { state: 'absent', path: lastPath, error: lastError } : { state: 'absent', error: located.absent });
        await this.pause(this.options.retryMs);
        continue;
      }
      const { path } = located;
      lastPath = path;
      if (this.current.state !== 'unusable' || this.current.path !== path) this.setStatus({ state: 'connecting', path });
      let lostError: DeviceError | undefined;
      let lostSignal = false;
      let connection: C;
      try {
        connection = await this.options.connect(path, (error) => {
          lostSignal = true;
          lostError = error;
          this.wake?.();
        });
      } catch (reason) {
        const error = asDeviceError(reason, path);
        this.setStatus({ state: error.code === 'NOT_FOUND' ? 'absent' : 'unusable', path, error });
        if (error.code !== 'NOT_FOUND') lastError = error;
        await this.pause(this.options.retryMs);
        continue;
      }
      if (!this.running) {
        await this.options.disconnect(connection).catch(() => undefined);
        break;
      }
      lastError = undefined;
      this.connection = connection;
      this.setStatus({ state: 'ready', path });
      this.emit('connected', connection);
      while (this.running && !lostSignal) {
        await this.pause(this.options.present ? this.options.retryMs : undefined);
        if (!this.running || lostSignal || !this.options.present) continue;
        if (!(await this.options.present(path).catch(() => true))) {
          lostSignal = true;
          lostError = deviceError('DISCONNECTED', `${path} is gone`, { device: path });
        }
      }
      this.connection = undefined;
      if (lostSignal) {
        lastError = lostError ?? deviceError('DISCONNECTED', `${path} went away`, { device: path });
        this.emit('disconnected', connection, lastError);
        this.setStatus({ state: 'absent', path, error: lastError });
      } else {
        this.emit('disconnected', connection, undefined);
      }
      await this.options.disconnect(connection).catch(() => undefined);
    }
    this.setStatus(CLOSED);
  }
}
