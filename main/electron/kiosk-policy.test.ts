// The kiosk's decisions (kiosk-policy.ts): the keys the counter may not press, when the till's
// window may close, and what each crash leads to, under systemd and without it.
import { describe, expect, it } from 'vitest';
import { blockedKey, CRASH_LIMIT, CRASH_WINDOW_MS, KIOSK_CRASH_STATUS, KIOSK_EXIT_STATUS, KioskPolicy, type KeyInput } from './kiosk-policy.ts';

const key = (k: string, mods: Partial<Omit<KeyInput, 'key' | 'type'>> = {}, type = 'keyDown'): KeyInput => ({ type, key: k, control: false, alt: false, shift: false, meta: false, ...mods });

describe('blockedKey', () => {
  it.each([
    ['Alt+F4', key('F4', { alt: true })],
    ['Ctrl+W', key('w', { control: true })],
    ['Ctrl+Q', key('Q', { control: true })],
    ['Cmd+Q', key('q', { meta: true })],
    ['F5', key('F5')],
    ['Ctrl+R', key('r', { control: true })],
    ['Ctrl+Shift+R', key('R', { control: true, shift: true })],
    ['F11', key('F11')],
    ['F12', key('F12')],
    ['Ctrl+Shift+I', key('I', { control: true, shift: true })],
    ['Cmd+Alt+I', key('i', { meta: true, alt: true })],
    ['Ctrl+P', key('p', { control: true })],
    ['Alt+Left', key('ArrowLeft', { alt: true })],
    ['BrowserBack', key('BrowserBack')],
  ])('swallows %s', (_name, input) => {
    expect(blockedKey(input)).toEqual(expect.any(String));
  });

  it.each([
    ['digits', key('7')],
    ['Enter (a wedge scanner ends a scan with it)', key('Enter')],
    ['Backspace', key('Backspace')],
    ['Shift+letters (a scanned payment text)', key('K', { shift: true })],
    ['Escape', key('Escape')],
    ['Ctrl+C/V in a field', key('c', { control: true })],
    ['a key release', key('F4', { alt: true }, 'keyUp')],
  ])('lets %s through', (_name, input) => {
    expect(blockedKey(input)).toBeUndefined();
  });
});

describe('KioskPolicy', () => {
  it('keeps the window open until the manager exits, except while the app shuts down', () => {
    const policy = new KioskPolicy();
    expect(policy.mayCloseWindow('running')).toBe(false);
    expect(policy.mayCloseWindow('closing')).toBe(true);
    expect(policy.exitStatus).toBeUndefined();
    policy.authoriseExit();
    expect(policy.mayCloseWindow('running')).toBe(true);
    expect(policy.exitStatus).toBe(KIOSK_EXIT_STATUS);
  });

  it('reloads a crashed renderer, and restarts the app on the CRASH_LIMIT-th crash within the window', () => {
    let now = 1_000_000;
    const policy = new KioskPolicy({ now: () => now });
    expect(policy.rendererGone('clean-exit')).toEqual({ do: 'ignore' });
    for (let i = 1; i < CRASH_LIMIT; i++) {
      expect(policy.rendererGone('crashed')).toEqual({ do: 'reload' });
      now += 1000;
    }
    expect(policy.rendererGone('oom')).toEqual({ do: 'restart-app', how: 'relaunch', status: 0 });
    // Counting starts again after a restart.
    expect(policy.rendererGone('crashed')).toEqual({ do: 'reload' });
  });

  it('forgets crashes older than the window', () => {
    let now = 0;
    const policy = new KioskPolicy({ now: () => now });
    for (let i = 0; i < CRASH_LIMIT * 3; i++) {
      expect(policy.rendererGone('killed')).toEqual({ do: 'reload' });
      now += CRASH_WINDOW_MS / (CRASH_LIMIT - 1) + 1;
    }
  });

  it('under systemd (INVOCATION_ID) exits with KIOSK_CRASH_STATUS for the unit to restart, instead of relaunching', () => {
    const policy = new KioskPolicy({ now: () => 0, env: { INVOCATION_ID: '4f1c' } });
    const actions = Array.from({ length: CRASH_LIMIT }, () => policy.rendererGone('crashed'));
    expect(actions.at(-1)).toEqual({ do: 'restart-app', how: 'exit-for-service-manager', status: KIOSK_CRASH_STATUS });
  });

  it('leaves the VSE to the app host, counts a GPU that keeps crashing, and ignores crashes after an authorised exit', () => {
    const policy = new KioskPolicy({ now: () => 0 });
    expect(policy.childGone('Utility', 'crashed')).toEqual({ do: 'ignore' });
    const gpu = Array.from({ length: CRASH_LIMIT }, () => policy.childGone('GPU', 'crashed'));
    expect(gpu.slice(0, -1)).toEqual(Array(CRASH_LIMIT - 1).fill({ do: 'ignore' }));
    expect(gpu.at(-1)).toMatchObject({ do: 'restart-app' });
    policy.authoriseExit();
    expect(policy.rendererGone('crashed')).toEqual({ do: 'ignore' });
  });

  it('keeps the exit status apart from success and from the crash status (systemd tells them apart)', () => {
    expect(new Set([0, KIOSK_EXIT_STATUS, KIOSK_CRASH_STATUS]).size).toBe(3);
  });
});
