// The lock file: one holder at a time, a stale lock taken over, nothing left behind. The race
// test drives real processes (base/node/test/lock-contender.ts) that all try at the same
// instant, many rounds, with and without a lock left by a SIGKILLed process.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { lockFile, LockFileError } from './lock-file.ts';
import type { ContenderCommand, ContenderReport } from './test/lock-contender.ts';

const tempFolder = tempFolders();
/** A pid that cannot be running: above the kernel's largest pid_max. */
const DEAD_PID = 4_999_999;

describe('the lock file', () => {
  it('is held by one holder: a second attempt is refused as HELD, naming the holder', () => {
    const path = join(tempFolder('kassa-lock-'), 'x.lock');
    const lock = lockFile(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    expect(() => lockFile(path)).toThrow(expect.objectContaining({ name: 'LockFileError', code: 'HELD', holder: process.pid }));
    lock.release();
    lock.release();
    expect(existsSync(path)).toBe(false);
    lockFile(path).release();
  });

  it('takes over a lock whose process is gone, and one that names no process (left empty by an older kassa)', () => {
    const folder = tempFolder('kassa-lock-');
    const path = join(folder, 'x.lock');
    for (const left of [`${DEAD_PID}\n`, '', 'garbage']) {
      writeFileSync(path, left);
      const lock = lockFile(path);
      expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
      lock.release();
      expect(readdirSync(folder)).toEqual([]);
    }
  });

  it('takes over a stale lock even when a breaker died while taking it over (a stale .break beside it)', () => {
    const folder = tempFolder('kassa-lock-');
    const path = join(folder, 'x.lock');
    writeFileSync(path, `${DEAD_PID}\n`);
    writeFileSync(`${path}.break`, `${DEAD_PID}\n`);
    const lock = lockFile(path);
    expect(readdirSync(folder)).toEqual(['x.lock']);
    lock.release();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('waits out a live breaker: HELD, naming it, and the stale lock stays for it', () => {
    const folder = tempFolder('kassa-lock-');
    const path = join(folder, 'x.lock');
    writeFileSync(path, `${DEAD_PID}\n`);
    writeFileSync(`${path}.break`, '1\n'); // init: alive, busy taking the lock over
    expect(() => lockFile(path)).toThrow(expect.objectContaining({ code: 'HELD', holder: 1 }));
    expect(readFileSync(path, 'utf8')).toBe(`${DEAD_PID}\n`);
    expect(readdirSync(folder).sort()).toEqual(['x.lock', 'x.lock.break']);
  });

  it('never removes a lock that is no longer its own', () => {
    const path = join(tempFolder('kassa-lock-'), 'x.lock');
    const lock = lockFile(path);
    writeFileSync(path, '1\n'); // replaced behind its back (an operator, a test)
    lock.release();
    expect(readFileSync(path, 'utf8')).toBe('1\n');
  });

  it('says UNUSABLE, with the reason, where the folder does not exist', () => {
    const path = join(tempFolder('kassa-lock-'), 'missing', 'x.lock');
    expect(() => lockFile(path)).toThrow(expect.objectContaining({ code: 'UNUSABLE', message: expect.stringContaining('ENOENT') }));
    expect(() => lockFile(path)).toThrow(LockFileError);
  });
});

// ---------------------------------------------------------------------------------------------
// Many real processes at once

const CONTENDER = new URL('./test/lock-contender.ts', import.meta.url).pathname;
const CONTENDERS = 8;
const ROUNDS = 50;
const SEED = Number(process.env.KASSA_TEST_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: a small seeded generator, so a failing plan can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A contender process and the reports it sends, read in order. */
class Contender {
  readonly child: ChildProcess;
  private readonly queue: ContenderReport[] = [];
  private waiting: { resolve: (report: ContenderReport) => void; reject: (error: Error) => void } | undefined;
  private ended: Error | undefined;
  readonly exited: Promise<void>;

  constructor() {
    this.child = fork(CONTENDER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (report: ContenderReport) => {
      if (this.waiting === undefined) this.queue.push(report);
      else {
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve(report);
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.ended = new Error(`contender ${this.child.pid} ended (${signal ?? code})`);
        this.waiting?.reject(this.ended);
        this.waiting = undefined;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  send(command: ContenderCommand): void {
    this.child.send(command);
  }

  next(): Promise<ContenderReport> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async expect<K extends ContenderReport['kind']>(kind: K): Promise<Extract<ContenderReport, { kind: K }>> {
    const report = await this.next();
    if (report.kind !== kind) throw new Error(`contender ${this.pid}: expected ${kind}, got ${JSON.stringify(report)}`);
    return report as Extract<ContenderReport, { kind: K }>;
  }

  async started(): Promise<this> {
    await this.expect('ready');
    return this;
  }
}

/** A process that takes `path` and is SIGKILLed holding it: its lock stays, naming a dead pid. */
async function leaveKilledHolder(path: string): Promise<number> {
  const victim = await new Contender().started();
  victim.send({ kind: 'take', path });
  await victim.expect('took');
  victim.child.kill('SIGKILL');
  await victim.exited;
  return victim.pid;
}

type Scenario = 'free' | 'killed-holder' | 'killed-holder-and-breaker' | 'left-empty';
const SCENARIOS: readonly Scenario[] = ['free', 'killed-holder', 'killed-holder-and-breaker', 'left-empty'];

describe('the lock file, raced by real processes', () => {
  const contenders: Contender[] = [];
  afterAll(async () => {
    for (const contender of contenders) contender.child.disconnect();
    await Promise.all(contenders.map((c) => c.exited));
  });

  it(`has exactly one holder in each of ${ROUNDS} rounds of ${CONTENDERS} processes, stale lock or not`, async () => {
    process.stdout.write(`lock race: seed ${SEED} (KASSA_TEST_SEED=${SEED} replays the plan)\n`);
    const random = seeded(SEED);
    const plan = Array.from({ length: ROUNDS }, (_, i) => SCENARIOS[i % SCENARIOS.length]!);
    for (let i = plan.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [plan[i], plan[j]] = [plan[j]!, plan[i]!];
    }
    const folder = tempFolder('kassa-lock-race-');
    const path = join(folder, 'terminal.lock');
    const barrier = join(tempFolder('kassa-lock-barrier-'), 'start');
    execFileSync('mkfifo', [barrier]);
    contenders.push(...(await Promise.all(Array.from({ length: CONTENDERS }, () => new Contender().started()))));
    const pids = new Set(contenders.map((c) => c.pid));

    const problems: string[] = [];
    for (const [round, scenario] of plan.entries()) {
      const where = `round ${round} (${scenario}, seed ${SEED})`;
      if (scenario === 'killed-holder') {
        const dead = await leaveKilledHolder(path);
        expect(readFileSync(path, 'utf8')).toBe(`${dead}\n`);
      }
      if (scenario === 'killed-holder-and-breaker') {
        await leaveKilledHolder(path);
        await leaveKilledHolder(`${path}.break`);
      }
      if (scenario === 'left-empty') writeFileSync(path, '');

      for (const contender of contenders) contender.send({ kind: 'take-at-barrier', path, barrier });
      await Promise.all(contenders.map((c) => c.expect('armed')));
      // Opening the FIFO for writing releases every contender blocked opening it for reading.
      const gate = openSync(barrier, 'r+');
      let reports: ContenderReport[];
      try {
        reports = await Promise.all(contenders.map((c) => c.next()));
      } finally {
        closeSync(gate);
      }

      const winners = reports.filter((r) => r.kind === 'took');
      if (winners.length !== 1) problems.push(`${where}: ${winners.length} holders`);
      for (const r of reports) {
        if (r.kind === 'refused' && (r.code !== 'HELD' || r.holder === undefined || !pids.has(r.holder))) problems.push(`${where}: ${JSON.stringify(r)}`);
      }
      if (winners.length === 1) {
        const content = readFileSync(path, 'utf8');
        if (content !== `${winners[0]!.pid}\n`) problems.push(`${where}: the lock names ${JSON.stringify(content)}, the holder is ${winners[0]!.pid}`);
        const left = readdirSync(folder);
        if (left.join() !== 'terminal.lock') problems.push(`${where}: the folder holds ${left.join(', ')}`);
      }
      for (const winner of winners) {
        const contender = contenders.find((c) => c.pid === winner.pid)!;
        contender.send({ kind: 'release' });
        await contender.expect('released');
      }
      const left = readdirSync(folder);
      if (left.length > 0) problems.push(`${where}: after release the folder holds ${left.join(', ')}`);
    }
    expect(problems).toEqual([]);
  }, 300_000);
});
