/**
 * The Linux kiosk files in build/kiosk/ (docs/kiosk.md): the session script hands the app's
 * exit status to systemd whatever the compositor returns (so RestartPreventExitStatus= sees
 * the manager's exit); the browser variant's kassa-serve-url.sh runs the real `kassa serve`,
 * leaves its address (with the launch's token) readable by the kiosk user only, and passes
 * systemd's SIGTERM to it; kassa-browser-kiosk.sh starts Chromium in kiosk mode on that
 * address; and the units agree with the code (exit statuses, installed paths, restart policy).
 * Stand-ins only for what cannot run here: the Electron binary, a compositor, a display.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KIOSK_EXIT_STATUS } from '../main/electron/kiosk-policy.ts';
import { ROOT } from '../scripts/build-app.ts';
import { tempFolders } from './support/temp.ts';
import { waitUntil } from './support/wait.ts';

const run = promisify(execFile);
const tempFolder = tempFolders();
const KIOSK = join(ROOT, 'build', 'kiosk');

/** A stand-in program: records its arguments in `record`, then exits with `status`. */
function standIn(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function exitStatus(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    await run(file, args, { env: { PATH: process.env.PATH ?? '', ...env } });
    return 0;
  } catch (error) {
    return (error as { code: number }).code;
  }
}

/** A systemd unit's [Service]/[Unit]/[Install] keys (last value wins, as systemd reads them here). */
function unit(name: string): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const line of readFileSync(join(KIOSK, name), 'utf8').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match !== null) (keys[match[1]!] ??= []).push(match[2]!);
  }
  return keys;
}

describe('kassa-kiosk.sh (the Electron kiosk session)', () => {
  it('runs the app with --kiosk and exits with its status, even when the compositor says 0', async () => {
    const dir = tempFolder('kassa-kiosk-session-');
    const app = standIn(dir, 'kassa-app', `echo "$@" > "${dir}/args"; exit ${KIOSK_EXIT_STATUS}`);
    const compositor = standIn(dir, 'compositor', '"$@"; exit 0');
    const env = { KASSA_APP: app, KASSA_COMPOSITOR: compositor, XDG_RUNTIME_DIR: dir };
    expect(await exitStatus(join(KIOSK, 'kassa-kiosk.sh'), ['--display'], env)).toBe(KIOSK_EXIT_STATUS);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('--kiosk --display');
    expect(await exitStatus(join(KIOSK, 'kassa-kiosk.sh'), [], { ...env, KASSA_COMPOSITOR: '-' })).toBe(KIOSK_EXIT_STATUS);
  });

  it('passes a crash status on, and reports 1 when the compositor died without running the app', async () => {
    const dir = tempFolder('kassa-kiosk-session-');
    const crashing = standIn(dir, 'kassa-app', 'exit 70');
    expect(await exitStatus(join(KIOSK, 'kassa-kiosk.sh'), [], { KASSA_APP: crashing, KASSA_COMPOSITOR: '-', XDG_RUNTIME_DIR: dir })).toBe(70);
    const broken = standIn(dir, 'compositor', 'exit 0');
    expect(await exitStatus(join(KIOSK, 'kassa-kiosk.sh'), [], { KASSA_APP: crashing, KASSA_COMPOSITOR: broken, XDG_RUNTIME_DIR: dir })).toBe(1);
  });
});

describe('the browser kiosk', () => {
  it('kassa-serve-url.sh: the real kassa serve, its address in a 0600 file, SIGTERM reaching it', { timeout: 60_000 }, async () => {
    const dir = tempFolder('kassa-browser-kiosk-');
    const urlFile = join(dir, 'url');
    const serve = spawn(join(KIOSK, 'kassa-serve-url.sh'), ['--port', '0', '--data', join(dir, 'data')], {
      env: { ...process.env, KASSA_CLI: join(ROOT, 'kassa'), KASSA_URL_FILE: urlFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    serve.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)));
    await waitUntil(() => `the address file (stderr: ${stderr})`, () => existsSync(urlFile) && readFileSync(urlFile, 'utf8').endsWith('\n'));
    const url = readFileSync(urlFile, 'utf8').trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+$/);
    expect(statSync(urlFile).mode & 0o777).toBe(0o600);
    // The address opens the cashier screen (the token moves into a cookie); without it, no.
    const opened = await fetch(url, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect((await fetch(url.replace(/\?token=.*$/, 'api/ws'))).status).toBe(401);
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: shutting down');
  });

  it('kassa-browser-kiosk.sh: Chromium in kiosk mode on that address', async () => {
    const dir = tempFolder('kassa-browser-kiosk-');
    const urlFile = join(dir, 'url');
    writeFileSync(urlFile, 'http://127.0.0.1:8780/?token=abc\n');
    const chromium = standIn(dir, 'chromium', `for a in "$@"; do echo "$a"; done > "${dir}/args"`);
    expect(await exitStatus(join(KIOSK, 'kassa-browser-kiosk.sh'), [], { KASSA_URL_FILE: urlFile, CHROMIUM: chromium, HOME: dir })).toBe(0);
    const args = readFileSync(join(dir, 'args'), 'utf8').trim().split('\n');
    expect(args).toEqual(expect.arrayContaining(['--kiosk', '--app=http://127.0.0.1:8780/?token=abc', '--no-first-run', '--noerrdialogs']));
  });
});

describe('the units agree with the code and the package', () => {
  it('kassa-kiosk.service: restarts always, but not after the manager\'s exit; runs the script where the deb installs it', () => {
    const service = unit('kassa-kiosk.service');
    expect(service.Restart).toEqual(['always']);
    expect(service.RestartPreventExitStatus).toEqual([String(KIOSK_EXIT_STATUS)]);
    expect(service.User).toEqual(['kassa']);
    // The deb installs to /opt/<productName>; electron-builder.yml copies build/kiosk to resources/kiosk.
    expect(service.ExecStart![0]).toBe('/usr/bin/dbus-run-session -- /opt/Kassa/resources/kiosk/kassa-kiosk.sh');
    expect(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')).toMatch(/productName: Kassa\n[\s\S]*- from: build\/kiosk\n\s+to: kiosk/);
  });

  it('the browser units: the host restarts always and the browser is bound to it; the scripts are executable', () => {
    const serve = unit('kassa-serve.service');
    const browser = unit('kassa-browser-kiosk.service');
    expect(serve.Restart).toEqual(['always']);
    expect(browser.Restart).toEqual(['always']);
    expect(browser.BindsTo).toEqual(['kassa-serve.service']);
    expect(serve.ExecStart![0]).toMatch(/^\/opt\/kassa\/build\/kiosk\/kassa-serve-url\.sh /);
    for (const script of ['kassa-kiosk.sh', 'kassa-serve-url.sh', 'kassa-browser-kiosk.sh']) expect(statSync(join(KIOSK, script)).mode & 0o111, script).toBe(0o111);
    const desktop = readFileSync(join(KIOSK, 'kassa-kiosk.desktop'), 'utf8');
    expect(desktop).toMatch(/^Exec=\/opt\/Kassa\/kassa-app --kiosk$/m);
    expect(JSON.parse(readFileSync(join(KIOSK, 'chromium-policy.json'), 'utf8'))).toMatchObject({ DeveloperToolsAvailability: 2, URLAllowlist: ['http://127.0.0.1:8780'] });
  });
});
