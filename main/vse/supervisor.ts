/**
 * The host side of the VSE: starts it through a launcher, initialises it, sends calls with a
 * request id and a timeout, validates every answer against the contract, and restarts the
 * process after a crash. A call never hangs: it ends with the VSE's answer, or with a typed
 * error — TIMEOUT, VSE_CRASHED (the process died with the call in flight), VSE_UNAVAILABLE.
 *
 * A call that timed out or crashed may still have committed in the VSE (an accept that
 * committed just before a crash, say): asking again is always safe, since the VSE answers a
 * repeated IOU with its stored acceptance (duplicate: true) and a repeated nextBatch with the
 * same batch.
 */
import {
  parseResult,
  VseError,
  vseToHostMessage,
  type VseEvent,
  type VseMethod,
  type VseParams,
  type VseResult,
  type ResponseEnvelope,
} from '../../vse/contract/rpc.ts';
import type { VseLauncher, VseProcess } from './launcher.ts';

export type SupervisorState = 'stopped' | 'starting' | 'ready' | 'restarting' | 'failed';

export type SupervisorEvent =
  | { kind: 'vse'; event: VseEvent }
  | { kind: 'state'; state: SupervisorState; detail?: string }
  | { kind: 'exit'; code: number | null; signal: string | null; expected: boolean };

export interface RestartPolicy {
  /** Delay before the first restart; doubles per crash up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** More crashes than this within windowMs and the supervisor gives up (state `failed`). */
  maxCrashes: number;
  windowMs: number;
}

export interface VseSupervisorOptions {
  launcher: VseLauncher;
  init: VseParams<'init'>;
  /** Per-call timeout unless the call names one (ms). */
  defaultTimeoutMs?: number;
  /** How long a fresh process may take to say `ready` and answer `init` (ms). */
  startTimeoutMs?: number;
  restart?: Partial<RestartPolicy>;
}

const DEFAULT_RESTART: RestartPolicy = { initialDelayMs: 50, maxDelayMs: 5_000, maxCrashes: 50, windowMs: 60_000 };

interface Pending {
  method: VseMethod;
  resolve: (value: unknown) => void;
  reject: (error: VseError) => void;
  timer: NodeJS.Timeout;
}

export class VseSupervisor {
  private readonly options: VseSupervisorOptions;
  private readonly restartPolicy: RestartPolicy;
  private readonly listeners = new Set<(event: SupervisorEvent) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private process: VseProcess | undefined;
  private stopping = false;
  private crashTimes: number[] = [];
  private readyWaiters: { resolve: () => void; reject: (error: VseError) => void }[] = [];
  state: SupervisorState = 'stopped';
  /** What init answered last (terminal key, terminal id). */
  initResult: VseResult<'init'> | undefined;

  constructor(options: VseSupervisorOptions) {
    this.options = options;
    this.restartPolicy = { ...DEFAULT_RESTART, ...options.restart };
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  on(listener: (event: SupervisorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(event: SupervisorEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private setState(state: SupervisorState, detail?: string): void {
    this.state = state;
    this.publish({ kind: 'state', state, detail });
    if (state === 'ready') for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    if (state === 'failed' || state === 'stopped') {
      const error = new VseError('VSE_UNAVAILABLE', `the VSE is ${state}${detail ? `: ${detail}` : ''}`);
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
    }
  }

  /** Starts the VSE and initialises it; rejects with the typed error init gave (WRONG_DATABASE_KEY, …). */
  async start(): Promise<VseResult<'init'>> {
    if (this.state !== 'stopped' && this.state !== 'failed') throw new VseError('ALREADY_INITIALIZED', `the supervisor is ${this.state}`);
    this.stopping = false;
    this.crashTimes = [];
    this.setState('starting');
    try {
      return await this.launch();
    } catch (error) {
      this.stopping = true;
      this.process?.kill('SIGKILL');
      this.setState('failed', (error as Error).message);
      throw error;
    }
  }

  /** Launches a process, waits for `ready`, sends `init`. */
  private async launch(): Promise<VseResult<'init'>> {
    const child = this.options.launcher();
    this.process = child;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new VseError('TIMEOUT', 'the VSE did not come up in time')), this.options.startTimeoutMs ?? 15_000);
      child.onMessage((raw) => {
        const message = vseToHostMessage.safeParse(raw);
        if (message.success && message.data.kind === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.onExit((code, signal) => {
        clearTimeout(timer);
        reject(new VseError('VSE_CRASHED', `the VSE exited while starting (code ${code}, signal ${signal})`));
      });
    });
    child.onMessage((raw) => this.receive(child, raw));
    child.onExit((code, signal) => this.exited(child, code, signal));
    await ready;
    const result = (await this.send(child, 'init', this.options.init, this.options.startTimeoutMs ?? 15_000)) as VseResult<'init'>;
    this.initResult = result;
    this.setState('ready');
    return result;
  }

  private receive(child: VseProcess, raw: unknown): void {
    if (child !== this.process) return;
    const parsed = vseToHostMessage.safeParse(raw);
    if (!parsed.success) return; // not from a VSE speaking this contract: nothing to route it to
    const message = parsed.data;
    if (message.kind === 'event') {
      this.publish({ kind: 'vse', event: message.event });
      return;
    }
    if (message.kind !== 'response') return;
    this.answer(message);
    // The request's events, once its caller has heard the answer (and even when it timed out).
    const events = message.events ?? [];
    if (events.length > 0) setImmediate(() => events.forEach((event) => this.publish({ kind: 'vse', event })));
  }

  private answer(message: ResponseEnvelope): void {
    if (message.id === null) return;
    const call = this.pending.get(message.id);
    if (call === undefined) return; // answered after its timeout
    this.pending.delete(message.id);
    clearTimeout(call.timer);
    if (!message.ok) {
      call.reject(new VseError(message.error.code, message.error.message));
      return;
    }
    try {
      call.resolve(parseResult(call.method, message.result));
    } catch (error) {
      call.reject(error as VseError);
    }
  }

  private exited(child: VseProcess, code: number | null, signal: string | null): void {
    if (child !== this.process) return;
    this.process = undefined;
    const expected = this.stopping;
    this.publish({ kind: 'exit', code, signal, expected });
    const error = new VseError('VSE_CRASHED', `the VSE exited (code ${code}, signal ${signal}) with the call in flight; it may have completed: ask again`);
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      this.pending.delete(id);
      call.reject(error);
    }
    if (expected) {
      this.setState('stopped');
      return;
    }
    // While (re)starting, launch() sees the exit as its own failure and decides what follows.
    if (this.state === 'starting' || this.state === 'restarting') return;
    this.scheduleRestart(`exit code ${code}, signal ${signal}`);
  }

  private scheduleRestart(reason: string): void {
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.restartPolicy.windowMs), now];
    if (this.crashTimes.length > this.restartPolicy.maxCrashes) {
      this.setState('failed', `${this.crashTimes.length} crashes within ${this.restartPolicy.windowMs} ms; last: ${reason}`);
      return;
    }
    this.setState('restarting', reason);
    const delay = Math.min(this.restartPolicy.maxDelayMs, this.restartPolicy.initialDelayMs * 2 ** (this.crashTimes.length - 1));
    setTimeout(() => {
      if (this.stopping) return;
      this.launch().catch((error: VseError) => {
        if (this.stopping) return;
        this.process?.kill('SIGKILL');
        // A crash or hang while starting may heal; a typed refusal (wrong key, …) will not.
        if (error.code === 'VSE_CRASHED' || error.code === 'TIMEOUT') this.scheduleRestart(error.message);
        else this.setState('failed', error.message);
      });
    }, delay).unref();
  }

  private send(child: VseProcess, method: VseMethod, params: unknown, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VseError('TIMEOUT', `${method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      child.send({ kind: 'request', id, method, params });
    });
  }

  private waitReady(deadline: number): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'failed' || this.state === 'stopped') return Promise.reject(new VseError('VSE_UNAVAILABLE', `the VSE is ${this.state}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new VseError('TIMEOUT', 'the VSE did not come back in time')), Math.max(0, deadline - Date.now()));
      this.readyWaiters.push({
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** Calls a VSE method. Resolves with its validated result or rejects with a `VseError`. */
  async call<M extends Exclude<VseMethod, 'init' | 'shutdown'>>(method: M, params: VseParams<M>, options: { timeoutMs?: number } = {}): Promise<VseResult<M>> {
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 10_000;
    const started = Date.now();
    await this.waitReady(started + timeoutMs);
    const child = this.process;
    if (child === undefined) throw new VseError('VSE_UNAVAILABLE', 'the VSE is not running');
    return (await this.send(child, method, params, Math.max(1, timeoutMs - (Date.now() - started)))) as VseResult<M>;
  }

  /** Asks the VSE to close its database and exit; kills it if it does not within the timeout. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    const child = this.process;
    if (child === undefined) {
      this.setState('stopped');
      return;
    }
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
    const killTimer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    this.send(child, 'shutdown', {}, timeoutMs).catch(() => child.kill('SIGKILL'));
    await exited;
    clearTimeout(killTimer);
  }
}
