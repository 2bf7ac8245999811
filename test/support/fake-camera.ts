/**
 * Real Chromium with a fake camera that plays a Y4M file (sim/camera/y4m.ts writes them):
 * for the camera tests here and the end-to-end UI test (the cashier's screen, the camera,
 * a `KP1:` code). Chromium grants the camera without asking (`--use-fake-ui-for-media-stream`)
 * and loops the file.
 */
import { isAbsolute } from 'node:path';
import type { Browser, LaunchOptions } from 'playwright-core';
import { launchChromium } from '../../sim/browser/chromium.ts';

/** The CSP both hosts send with every response (docs/host.md): the camera works under it. */
export const HOST_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self'; img-src 'self' data: blob:; style-src 'self'";

/** The switches that make `y4mPath` (absolute, ending in `y4m`) the only camera. */
export function fakeCameraArgs(y4mPath: string): string[] {
  if (!isAbsolute(y4mPath) || !y4mPath.endsWith('y4m')) throw new RangeError(`Chromium needs an absolute path ending in y4m: ${y4mPath}`);
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4mPath}`];
}

/** Launches Chromium whose camera shows `y4mPath`. */
export function launchWithFakeCamera(y4mPath: string, options: LaunchOptions = {}): Promise<Browser> {
  return launchChromium({ ...options, args: [...fakeCameraArgs(y4mPath), ...(options.args ?? [])] });
}
