// Tests only: runs the bundled main process (dist/app/main.cjs) under plain Node, with a small
// stand-in for the `electron` module (no Electron binary runs here). `node -r THIS main.cjs …`
// The stand-in records what the entry did, loads the first window's page through the
// registered app:// handler, then quits as a user would; the record is printed as JSON on exit.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload script for node -r */
const Module = require('node:module');
const { EventEmitter } = require('node:events');

const record = { calls: [], windows: [], pages: [], exitCode: null };
const backend = process.env.STAND_IN_KEYRING ?? 'gnome_libsecret';

class App extends EventEmitter {
  constructor() {
    super();
    this.commandLine = { appendSwitch: (name, value) => record.calls.push(`switch ${name}=${value}`) };
  }
  requestSingleInstanceLock() {
    record.calls.push('requestSingleInstanceLock');
    return true;
  }
  enableSandbox() {
    record.calls.push('enableSandbox');
  }
  getPath(name) {
    return `/nonexistent/${name}`;
  }
  whenReady() {
    record.calls.push('whenReady');
    return Promise.resolve();
  }
  quit() {
    record.calls.push('quit');
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) process.exit(0);
  }
  exit(code) {
    record.calls.push(`exit ${code}`);
    process.exit(code);
  }
}
const app = new App();

const protocol = {
  handlers: new Map(),
  registerSchemesAsPrivileged: (schemes) => record.calls.push(`privileged ${schemes.map((s) => s.scheme).join(',')}`),
  handle(scheme, handler) {
    record.calls.push(`handle ${scheme}`);
    this.handlers.set(scheme, handler);
  },
};

let nextId = 1;
class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    record.windows.push(options);
    this.webContents = Object.assign(new EventEmitter(), {
      id: nextId++,
      mainFrame: { url: 'about:blank', origin: 'null', parent: null, processId: 1, routingId: 1 },
      setWindowOpenHandler: () => {},
      isDestroyed: () => false,
      send: () => {},
    });
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    const response = await protocol.handlers.get('app')(new Request(url));
    const body = await response.text();
    record.pages.push({ url, status: response.status, csp: response.headers.get('content-security-policy'), title: /<h1>([^<]*)<\/h1>/.exec(body)?.[1] ?? /<title>([^<]*)<\/title>/.exec(body)?.[1] ?? null });
    // The operator (or the cashier) closes the app.
    setImmediate(() => app.quit());
  }
  show() {}
}

const session = {
  defaultSession: {
    setPermissionRequestHandler: () => record.calls.push('permission request handler'),
    setPermissionCheckHandler: () => record.calls.push('permission check handler'),
    setDevicePermissionHandler: () => {},
    webRequest: { onBeforeRequest: () => record.calls.push('request guard') },
  },
};

const electron = {
  app,
  BrowserWindow,
  protocol,
  session,
  ipcMain: { handle: (channel) => record.calls.push(`ipc ${channel}`), removeHandler: () => {} },
  Menu: { setApplicationMenu: (menu) => record.calls.push(`menu ${menu}`) },
  safeStorage: {
    getSelectedStorageBackend: () => backend,
    isAsyncEncryptionAvailable: async () => true,
    encryptStringAsync: async (text) => Buffer.from(`sealed:${text}`),
    decryptStringAsync: async (sealed) => ({ shouldReEncrypt: false, result: sealed.toString().replace(/^sealed:/, '') }),
  },
  utilityProcess: {
    fork: (path) => {
      record.calls.push(`fork ${path}`);
      throw new Error('the stand-in starts no utility process');
    },
  },
};

const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'electron') return electron;
  return load.call(this, request, ...rest);
};
process.on('exit', (code) => {
  record.exitCode = code;
  process.stdout.write(`${JSON.stringify(record)}\n`);
});
