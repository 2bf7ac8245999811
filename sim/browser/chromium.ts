/**
 * The Chromium that drives the cashier's screen in the tests, the benchmarks and the demo's
 * checks: Debian's build (never a downloaded one), or `KASSA_CHROMIUM`. Launched as root in a
 * container, so without its sandbox, without a GPU and without background traffic.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM = process.env.KASSA_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
/** Why browser tests are skipped, or null when they can run. */
export const noChromiumReason = haveChromium ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set KASSA_CHROMIUM)`;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Launches that Chromium; `options.args` come after the house's switches. */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, ...options, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
}
