/**
 * The one place a BrowserWindow is made (a test greps the code base to keep it so). Every
 * window gets the same locked-down web preferences; the factory remembers which windows it
 * made, so the IPC layer can refuse a sender that is not one of them.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, WebContents, WebPreferences } from 'electron';

/** What a window is for: the till, the customer display, or the operator screen before start. */
export type WindowPurpose = 'cashier' | 'display' | 'problem';

export interface WindowFactoryOptions {
  /** The bundled preload (dist/app/preload.cjs). */
  preload: string;
  /** Kiosk: the till fills the screen, no menu bar, no developer tools. */
  kiosk: boolean;
}

/**
 * The web preferences of every window, and what each one stops:
 * - `sandbox`: the renderer process runs in Chromium's OS-level sandbox, and the preload gets
 *   only a handful of Electron modules, no Node.
 * - `contextIsolation`: the preload's world is separate from the page's; the page sees only
 *   what contextBridge copies across, never the preload's objects or prototypes.
 * - `nodeIntegration` (and in workers and subframes) off: page code cannot `require`.
 * - `webSecurity` on, `allowRunningInsecureContent` off: same-origin policy and mixed content.
 * - `webviewTag`, `navigateOnDragDrop`, `experimentalFeatures` off: no embedding another site,
 *   no dropping a file to navigate to it, no half-finished Blink features.
 * - `devTools` off in kiosk mode: the person at the counter cannot open a console.
 */
export function secureWebPreferences(preload: string | undefined, devTools: boolean): WebPreferences {
  return {
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    experimentalFeatures: false,
    safeDialogs: true,
    spellcheck: false,
    devTools,
    ...(preload === undefined ? {} : { preload }),
  };
}

export type BrowserWindowConstructor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

export interface MadeWindow {
  readonly window: BrowserWindow;
  readonly purpose: WindowPurpose;
  /** The webContents id, kept because a destroyed webContents can no longer be asked. */
  readonly contentsId: number;
}

export class WindowFactory {
  private readonly BrowserWindow: BrowserWindowConstructor;
  private readonly options: WindowFactoryOptions;
  private readonly made = new Map<number, MadeWindow>();

  constructor(BrowserWindowClass: BrowserWindowConstructor, options: WindowFactoryOptions) {
    this.BrowserWindow = BrowserWindowClass;
    this.options = options;
  }

  /** The window options for a purpose; exported through the factory so tests can inspect them. */
  windowOptions(purpose: WindowPurpose): BrowserWindowConstructorOptions {
    const kiosk = this.options.kiosk && purpose === 'cashier';
    // The operator screen runs before any host exists: it gets no bridge at all.
    const preload = purpose === 'problem' ? undefined : this.options.preload;
    return {
      title: purpose === 'display' ? 'Kassa customer display' : 'Kassa',
      width: purpose === 'problem' ? 760 : 1280,
      height: purpose === 'problem' ? 560 : 800,
      show: false,
      backgroundColor: '#fafafa',
      autoHideMenuBar: kiosk,
      ...(kiosk ? { kiosk: true, fullscreen: true } : {}),
      webPreferences: secureWebPreferences(preload, !this.options.kiosk),
    };
  }

  create(purpose: WindowPurpose): MadeWindow {
    const window = new this.BrowserWindow(this.windowOptions(purpose));
    const made: MadeWindow = { window, purpose, contentsId: window.webContents.id };
    this.made.set(made.contentsId, made);
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => this.made.delete(made.contentsId));
    return made;
  }

  /** The window the factory made with this webContents, if any. */
  byContents(contents: Pick<WebContents, 'id'>): MadeWindow | undefined {
    return this.made.get(contents.id);
  }

  get windows(): MadeWindow[] {
    return [...this.made.values()];
  }

  /** The first open window for a purpose (the second-instance handler focuses the till). */
  first(purpose: WindowPurpose): MadeWindow | undefined {
    return this.windows.find((made) => made.purpose === purpose);
  }
}
