/**
 * The emulated device's end of a pty pair: a plain serialport, independent of the drivers
 * under test, with received bytes collected so an emulator can wait for what it expects.
 *
 * Opening flushes the port (serialport's tcflush(TCIOFLUSH)). On a pty that also discards what
 * an earlier opener wrote and socat has not relayed yet: whoever writes through a new DeviceEnd
 * right after another one closed must first see the earlier bytes arrive at the other end.
 */
import { SerialPort } from 'serialport';

export class DeviceEnd {
  private readonly port: SerialPort;
  private listeners = new Set<(chunk: Uint8Array) => void>();

  private constructor(port: SerialPort) {
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (const listener of [...this.listeners]) listener(bytes);
    });
  }

  static async open(path: string, baudRate = 9600): Promise<DeviceEnd> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.on('error', () => undefined); // a vanished pty must not kill the emulator
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    return new DeviceEnd(port);
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (error) => {
        if (error) return reject(error);
        this.port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
      });
    });
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
