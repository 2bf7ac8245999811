// `./kassa demo --no-ui`: the whole printed story with real parts, as a newcomer runs it from a
// checkout, and an interrupted demo that leaves nothing behind. The story's shape (its lines with
// ports, process ids, folders, keys and payment texts masked) is compared with
// demo-story-shape.txt, recorded from `./kassa demo` before it opened a UI (commit 21abcda):
// `--no-ui` tells the same story, line for line.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/wait.ts';

const KASSA = new URL('../../../kassa', import.meta.url).pathname;
const RECORDED_SHAPE = readFileSync(new URL('./demo-story-shape.txt', import.meta.url), 'utf8');

/** The story with what differs from run to run masked. */
function storyShape(out: string): string {
  return out
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT')
    .replace(/\/\S*kassa-demo-[A-Za-z0-9]+/g, 'FOLDER')
    .replace(/\(process \d+\)/g, '(process PID)')
    .replace(/\b[0-9a-f]{12}…/g, 'HEX…')
    .replace(/\b(K[RPA]1):[^…\n]*…/g, '$1:…')
    .replace(/\(\d+ characters\)/g, '(N characters)')
    // Which socket error a dropped connection gives varies.
    .replace(/offline \(NETWORK: [^\n]*\)$/gm, 'offline (NETWORK: …)');
}

function kassa(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KASSA, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('kassa demo --no-ui', () => {
  it('demo tells the whole story — reserve, offline payments, two double spends, settlement — and leaves nothing behind', { timeout: 60_000 }, async () => {
    const run = await kassa(['demo', '--no-ui']);
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/Enroll .*KAFFE-1 .*VSE \(process \d+\)/);
    expect(out).toMatch(/Reserve .*reserved 200\.00 SEK online/);
    expect(out).toMatch(/Status .*KAFFE-1 tried to reach the backend: offline \(NETWORK/);
    expect(out.match(/Accept .*KAFFE-1: ACCEPTED offline and stored/g)).toHaveLength(2);
    expect(out).toMatch(/Forged .*KAFFE-1 says IOU_SIGNATURE_INVALID/);
    expect(out).toMatch(/Cheat .*KAFFE-1 says DOUBLE_SPEND/);
    expect(out).toMatch(/Cheat .*KAFFE-2 says ACCEPTED/);
    expect(out).toMatch(/Overspend .*INSUFFICIENT_FUNDS/);
    expect(out).toMatch(/Settle +KAFFE-1 → backend: SETTLED 129\.00 SEK \(seq 1\), SETTLED 45\.50 SEK \(seq 2\)\n/);
    expect(out).toMatch(/Settle +KAFFE-2 → backend: DOUBLE_SPEND \(conflict\) 60\.00 SEK \(seq 2\)\n/);
    expect(out).toMatch(/Books .*received 174\.50 SEK; 25\.50 SEK of the reservation stays held/);
    expect(out).toMatch(/Evidence .*1 conflict.*books balance: ok/);
    expect(out).toMatch(/Status +KAFFE-2: unsettled none; needs attention: DOUBLE_SPEND \(conflict\) 60\.00 SEK/);
    expect(storyShape(out)).toBe(RECORDED_SHAPE);
    expectCleanedUp(out);
  });

  it('refuses arguments it does not take with its usage (exit 2), before starting anything', async () => {
    for (const [args, why] of [
      [['demo', '--no-ui', '--port', '8080'], /--port serves the UI: it does not go with --no-ui/],
      [['demo', '--port', '70000'], /--port must be at most 65535, got 70000/],
      [['demo', 'extra'], /unexpected argument "extra"/],
    ] as const) {
      const run = await kassa([...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(why);
      expect(run.stderr).toMatch(/Usage: kassa demo \[--no-ui\] \[--port N\]/);
      expect(run.stdout).toBe('');
    }
  });

  it('demo stops its processes and removes its folder when interrupted with Ctrl-C', { timeout: 60_000 }, async () => {
    const child = spawn(KASSA, ['demo', '--no-ui'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitUntil('the demo to go offline', () => out.includes('The network is gone'), 40_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expectCleanedUp(out);
  });
});

/** The demo's folder is gone and none of the processes it named still runs. */
function expectCleanedUp(out: string): void {
  const folder = /everything lives in (\S+)/.exec(out)?.[1];
  expect(folder).toBeDefined();
  expect(existsSync(folder!)).toBe(false);
  const pids = [...out.matchAll(/\(process (\d+)\)/g)].map((m) => Number(m[1]));
  expect(pids.length).toBe(3); // the backend and two VSEs
  for (const pid of pids) expect(() => process.kill(pid, 0), `process ${pid} still runs`).toThrow();
}
