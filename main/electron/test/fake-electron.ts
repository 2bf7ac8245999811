/**
 * A fake of the parts of `electron` the shell uses, for tests under plain Node (no Electron
 * binary can run here). Each fake records what the shell did to it and lets a test play
 * Electron's part: fire a navigation, invoke an IPC call from a frame, request a permission,
 * fetch an app:// URL, quit. Where a real part can stand in, it does: IPC arguments and results
 * pass through structuredClone (Electron's IPC serialisation), the protocol handler gets real
 * Fetch API Requests, `utilityProcess.fork` starts a real Node process that sees a
 * `process.parentPort` as a utility process does, and safeStorage really encrypts.
 */
import { fork } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { BrowserWindowConstructorOptions, CustomScheme, ForkOptions } from 'electron';
import type { ElectronModules } from '../shell.ts';

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeFrame {
  url: string;
  origin: string;
  parent: FakeFrame | null;
  readonly processId: number;
  readonly routingId: number;
  constructor(url: string, options: { parent?: FakeFrame | null; processId?: number; routingId?: number } = {}) {
    this.url = url;
    this.origin = originOf(url);
    this.parent = options.parent ?? null;
    this.processId = options.processId ?? 1;
    this.routingId = options.routingId ?? 1;
  }
  navigate(url: string): void {
    this.url = url;
    this.origin = originOf(url);
  }
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    // Chromium gives standard custom schemes a real origin; Node's URL says "null" for them.
    return parsed.protocol === 'app:' ? `app://${parsed.host}` : parsed.origin;
  } catch {
    return 'null';
  }
}

let nextContentsId = 1;
let nextProcessId = 100;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame: FakeFrame;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  /** The page's ipcRenderer listeners (fakeRenderer), told about everything sent to this webContents. */
  readonly rendererListeners: { channel: string; listener: (event: unknown, ...args: unknown[]) => void }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | undefined;
  private destroyed = false;
  constructor() {
    super();
    this.mainFrame = new FakeFrame('about:blank', { processId: nextProcessId++, routingId: 1 });
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    // What crosses to the renderer is a structured clone, as in Electron.
    const cloned = structuredClone(args);
    this.sent.push({ channel, args: cloned });
    // The renderer side gets an IpcRendererEvent whose sender is ipcRenderer itself: the bridge must not pass it on.
    const rendererEvent = { sender: { send: () => 'ipcRenderer.send' }, ports: [] };
    for (const { channel: wanted, listener } of this.rendererListeners) if (wanted === channel) listener(rendererEvent, ...structuredClone(cloned));
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  /** Plays Chromium: a navigation event, answered with whether the shell prevented it. */
  navigationPrevented(event: 'will-frame-navigate' | 'will-navigate' | 'will-redirect', url: string, isMainFrame = true): boolean {
    const fake = Object.assign(new FakeEvent(), { url, isMainFrame });
    this.emit(event, fake);
    return fake.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly made: FakeBrowserWindow[] = [];
  readonly options: BrowserWindowConstructorOptions;
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  shown = false;
  focused = 0;
  minimized = false;
  constructor(options: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
    FakeBrowserWindow.made.push(this);
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.mainFrame.navigate(url);
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused++;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  /** The user closes the window (as Electron's: 'close' may be prevented). */
  close(): void {
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.webContents.destroy();
    this.emit('closed');
  }
}

export class FakeApp extends EventEmitter {
  readonly calls: string[] = [];
  readonly commandLine = {
    appendSwitch: (name: string, value?: string) => {
      this.calls.push(`switch ${name}=${value ?? ''}`);
    },
  };
  gotLock = true;
  exitCode: number | undefined;
  quitted = false;
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  private readonly userData: string;
  constructor(userData: string) {
    super();
    this.userData = userData;
  }
  requestSingleInstanceLock(): boolean {
    this.calls.push('requestSingleInstanceLock');
    return this.gotLock;
  }
  enableSandbox(): void {
    this.calls.push('enableSandbox');
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`the fake app knows only userData, not ${name}`);
    return this.userData;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** Plays Electron: the app is ready. */
  becomeReady(): void {
    this.calls.push('ready');
    this.readyResolve();
  }
  /** As Electron's: before-quit may be prevented; otherwise the app quits. */
  quit(): void {
    this.calls.push('quit');
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) {
      this.quitted = true;
      this.emit('quit');
    }
  }
  relaunch(): void {
    this.calls.push('relaunch');
  }
  exit(code = 0): void {
    this.calls.push(`exit ${code}`);
    this.exitCode = code;
  }
  /** Plays Electron: a webContents was made (the shell's guards attach here). */
  contentsCreated(contents: FakeWebContents): void {
    this.emit('web-contents-created', new FakeEvent(), contents);
  }
}

export class FakeProtocol {
  readonly privileged: CustomScheme[] = [];
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  registeredBeforeReady: boolean | undefined;
  private readonly app: FakeApp;
  constructor(app: FakeApp) {
    this.app = app;
  }
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    this.registeredBeforeReady = !this.app.calls.includes('ready');
    this.privileged.push(...schemes);
  }
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler);
  }
  /** Plays Chromium: the page asks for a URL of a handled scheme. */
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    const scheme = url.slice(0, url.indexOf(':'));
    const handler = this.handlers.get(scheme);
    if (handler === undefined) throw new Error(`no handler for ${scheme}:`);
    return handler(new Request(url, init));
  }
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: Record<string, unknown>) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string, details: Record<string, unknown>) => boolean;

export class FakeSession {
  requestHandler: PermissionRequestHandler | undefined;
  checkHandler: PermissionCheckHandler | undefined;
  deviceHandler: ((details: unknown) => boolean) | undefined;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | undefined;
  readonly webRequest = {
    onBeforeRequest: (listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) => {
      this.beforeRequest = listener;
    },
  };
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.checkHandler = handler;
  }
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void {
    this.deviceHandler = handler;
  }
  /** Plays Chromium: a page asks for a permission; resolves with the answer. */
  request(permission: string, details: Record<string, unknown>): Promise<boolean> {
    return new Promise((resolve) => this.requestHandler!(undefined, permission, resolve, details));
  }
  /** Plays Chromium: is this request for a URL cancelled? */
  cancels(url: string): boolean {
    let cancel: boolean | undefined;
    this.beforeRequest!({ url }, (response) => (cancel = response.cancel));
    return cancel!;
  }
}

export interface FakeCallEvent {
  sender: FakeWebContents;
  senderFrame: FakeFrame | null;
}

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: FakeCallEvent, ...args: unknown[]) => unknown>();
  readonly removed: string[] = [];
  handle(channel: string, handler: (event: FakeCallEvent, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.removed.push(channel);
    this.handlers.delete(channel);
  }
  /** Plays ipcRenderer.invoke from a frame: arguments and answer are structured clones, as in Electron. */
  async invoke(event: FakeCallEvent, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await handler(event, ...structuredClone(args)));
  }
}

/** The page's side of IPC for a window: ipcRenderer's invoke and on, from the window's top frame. */
export function fakeRenderer(contents: FakeWebContents, ipcMain: FakeIpcMain) {
  return {
    invoke: (channel: string, ...args: unknown[]) => ipcMain.invoke({ sender: contents, senderFrame: contents.mainFrame }, channel, ...args),
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
      contents.rendererListeners.push({ channel, listener });
      return this;
    },
  };
}

/** safeStorage that really seals (AES-256-GCM under a key this "keyring" keeps). */
export class FakeSafeStorage {
  backend: 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown' = 'gnome_libsecret';
  available = true;
  keyringKey = randomBytes(32);
  readonly calls: string[] = [];
  getSelectedStorageBackend() {
    return this.backend;
  }
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    return this.available;
  }
  async encryptStringAsync(plainText: string): Promise<Buffer> {
    this.calls.push('encrypt');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyringKey, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from('v11'), iv, cipher.getAuthTag(), body]);
  }
  async decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }> {
    this.calls.push('decrypt');
    if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const decipher = createDecipheriv('aes-256-gcm', this.keyringKey, encrypted.subarray(3, 15));
    decipher.setAuthTag(encrypted.subarray(15, 31));
    try {
      return { shouldReEncrypt: false, result: Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8') };
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  }
}

const SHIM = fileURLToPath(new URL('./utility-process-shim.cjs', import.meta.url));

/** A utility process under plain Node: the real module runs, with a parentPort like Electron's. */
export class FakeUtilityChild extends EventEmitter {
  readonly child;
  constructor(modulePath: string, args: string[], options: ForkOptions) {
    super();
    this.child = fork(SHIM, [modulePath, ...args], {
      execArgv: options.execArgv ?? [],
      env: options.env as NodeJS.ProcessEnv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message) => this.emit('message', message));
    // Electron's utilityProcess gives an exit code only; a signal shows as 128 + its number.
    this.child.on('exit', (code, signal) => this.emit('exit', code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 1)));
    this.child.on('error', () => {});
  }
  get pid(): number | undefined {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }
  postMessage(message: unknown): void {
    if (this.child.connected) this.child.send(message as never, (error) => void error);
  }
  kill(): boolean {
    return this.child.kill('SIGTERM');
  }
}

export class FakeUtilityProcess {
  readonly forks: { modulePath: string; args: string[]; options: ForkOptions; child: FakeUtilityChild }[] = [];
  fork(modulePath: string, args: string[] = [], options: ForkOptions = {}): FakeUtilityChild {
    const child = new FakeUtilityChild(modulePath, args, options);
    this.forks.push({ modulePath, args, options, child });
    return child;
  }
}

export class FakeMenu {
  static applicationMenu: unknown = 'default';
  static setApplicationMenu(menu: unknown): void {
    FakeMenu.applicationMenu = menu;
  }
}

export interface FakeElectron {
  modules: ElectronModules;
  app: FakeApp;
  protocol: FakeProtocol;
  session: FakeSession;
  ipcMain: FakeIpcMain;
  safeStorage: FakeSafeStorage;
  utilityProcess: FakeUtilityProcess;
  /** Windows made since this fake was made. */
  windows(): FakeBrowserWindow[];
}

export function fakeElectron(userData: string): FakeElectron {
  const app = new FakeApp(userData);
  const protocol = new FakeProtocol(app);
  const session = new FakeSession();
  const ipcMain = new FakeIpcMain();
  const safeStorage = new FakeSafeStorage();
  const utilityProcess = new FakeUtilityProcess();
  const first = FakeBrowserWindow.made.length;
  // Chromium tells the app about every webContents it makes: so does the fake, for the guards.
  class BrowserWindow extends FakeBrowserWindow {
    constructor(options: BrowserWindowConstructorOptions) {
      super(options);
      app.contentsCreated(this.webContents);
    }
  }
  FakeMenu.applicationMenu = 'default';
  const modules = {
    app,
    BrowserWindow,
    protocol,
    session: { defaultSession: session },
    ipcMain,
    safeStorage,
    utilityProcess,
    Menu: FakeMenu,
  } as unknown as ElectronModules;
  return { modules, app, protocol, session, ipcMain, safeStorage, utilityProcess, windows: () => FakeBrowserWindow.made.slice(first) };
}
