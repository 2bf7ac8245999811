/**
 * A `socat` pseudo-terminal pair: two linked serial ports with stable symlink paths, one for
 * the driver under test (`hostPath`) and one for the emulated device (`devicePath`).
 * `unplug()` ends socat, which removes both ptys and links exactly like a USB device
 * vanishing; `plug()` starts a new pair behind the same paths.
 *
 * (socat keeps running when one side merely closes its pty on this kernel, so unplugging
 * ends the process rather than waiting for it to notice.)
 *
 * Ready means socat says it is relaying ("starting data transfer loop", a notice it logs with
 * -d -d): it creates the links before it sets the ptys raw, so links alone do not prove that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPairOptions {
  /** Folder for the two links; a fresh temporary one when omitted. */
  dir?: string;
  /** Link names. */
  hostName?: string;
  deviceName?: string;
}

export interface PlugOptions {
  /** How long socat may take to set the pair up. Default 10 s. */
  timeoutMs?: number;
  /**
   * Runs once socat relays, before the host link appears: an emulator opens its device end
   * here, as a USB device is powered and answering before its tty node appears. Without it a
   * driver could open the host end and send its first command before the emulator listens.
   */
  beforeHostAppears?: () => Promise<void>;
}

export class PtyPair {
  readonly hostPath: string;
  readonly devicePath: string;
  private readonly dir: string;
  private readonly ownsDir: boolean;
  private socat: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  private constructor(dir: string, ownsDir: boolean, hostName: string, deviceName: string) {
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.hostPath = join(dir, hostName);
    this.devicePath = join(dir, deviceName);
  }

  /** Creates the pair and waits until socat relays between its two links. */
  static async open(options: PtyPairOptions = {}): Promise<PtyPair> {
    const pair = await PtyPair.create(options);
    await pair.plug();
    return pair;
  }

  /** The pair's paths, unplugged: `plug()` starts it. */
  static async create(options: PtyPairOptions = {}): Promise<PtyPair> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'kassa-pty-')));
    return new PtyPair(dir, options.dir === undefined, options.hostName ?? 'host', options.deviceName ?? 'device');
  }

  /** Where the host link waits while `beforeHostAppears` runs. */
  private get hiddenHostPath(): string {
    return `${this.hostPath}.plugging`;
  }

  get plugged(): boolean {
    return this.socat !== undefined;
  }

  /** The socat process relaying between the two links, while plugged. */
  get pid(): number | undefined {
    return this.socat?.pid;
  }

  /** Starts socat (again) behind the same link paths; resolves once it relays between them. */
  async plug(options: PlugOptions = {}): Promise<void> {
    if (this.socat) return;
    const { timeoutMs = 10_000, beforeHostAppears } = options;
    // With beforeHostAppears, socat links the host pty under a hidden name, renamed into place after.
    const hostLink = beforeHostAppears ? this.hiddenHostPath : this.hostPath;
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${hostLink}`, `pty,raw,echo=0,link=${this.devicePath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let relaying = false;
    socat.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-16 * 1024);
      relaying ||= stderr.includes(RELAYING);
    });
    this.socat = socat;
    this.exited = new Promise((resolve) => socat.once('exit', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => socat.once('error', (error) => reject(new Error(`cannot start socat (is it installed?): ${error.message}`))));
    const deadline = Date.now() + timeoutMs;
    const ready = (async () => {
      while (!(relaying && (await exists(hostLink)) && (await exists(this.devicePath)))) {
        if (socat.exitCode !== null) throw new Error(`socat exited with ${socat.exitCode}: ${stderr.trim()}`);
        if (Date.now() > deadline) throw new Error(`socat did not link ${hostLink} and ${this.devicePath} and start relaying within ${timeoutMs} ms: ${stderr.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await Promise.race([ready, spawnError]);
    if (beforeHostAppears) {
      await beforeHostAppears();
      await rename(hostLink, this.hostPath);
    }
  }

  /** Ends socat: both ptys and their links disappear, as when a USB cable is pulled. */
  async unplug(): Promise<void> {
    const socat = this.socat;
    if (!socat) return;
    this.socat = undefined;
    if (socat.exitCode === null) socat.kill('SIGTERM');
    await this.exited;
    // socat removes its links on SIGTERM; make sure, so that "absent" really means absent.
    await rm(this.hostPath, { force: true });
    await rm(this.hiddenHostPath, { force: true });
    await rm(this.devicePath, { force: true });
  }

  async close(): Promise<void> {
    await this.unplug();
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** socat's notice (-d -d) once both ptys are set up and it relays between them. */
const RELAYING = 'starting data transfer loop';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
