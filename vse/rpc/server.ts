/**
 * The VSE's RPC server: validates every message against the contract — the envelope, then the
 * method's parameters from the contract's table, in one place before the dispatch — runs the
 * method, and answers with a result or a typed error. Nothing a host sends can crash it: an envelope that
 * does not parse gets a BAD_REQUEST reply (with the request id when one can be read).
 *
 * better-sqlite3 is synchronous and messages are handled one at a time, so two accepts of
 * the same IOU (two scanners at once) are serialised: the second sees the first's commit.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as z from 'zod';
import { parseCall, requestEnvelope, VseError, type VseCall, type VseErrorValue, type VseEvent, type VseMethod } from '../contract/rpc.ts';
import { storageError } from '../store/storage-errors.ts';
import { Vse } from '../vse.ts';
import type { VsePort } from './port.ts';

const IDLE_CHECKPOINT_MS = 250;

export interface RpcServerOptions {
  /** Started with --test-mode: the test clock and probes are available. */
  testMode: boolean;
  /** Ends the process (after `shutdown` answered). */
  exit: (code: number) => void;
  log?: (line: string) => void;
}

function idOf(raw: unknown): number | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

function denied(attempt: () => unknown): string {
  try {
    const result = attempt() as { error?: { code?: string } } | undefined;
    if (result?.error !== undefined) return `denied: ${result.error.code ?? String(result.error)}`;
    return 'allowed';
  } catch (error) {
    return `denied: ${(error as { code?: string }).code ?? (error as Error).message}`;
  }
}

export class RpcServer {
  private readonly port: VsePort;
  private readonly options: RpcServerOptions;
  private vse: Vse | undefined;
  private clockOffset = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(port: VsePort, options: RpcServerOptions) {
    this.port = port;
    this.options = options;
  }

  private readonly clock = (): number => Math.floor(Date.now() / 1000) + this.clockOffset;

  /** Events raised while a request runs; they ride with its response (see respond). */
  private heldEvents: VseEvent[] | undefined;

  private readonly emit = (event: VseEvent): void => {
    if (this.heldEvents !== undefined) this.heldEvents.push(event);
    else this.port.send({ kind: 'event', event });
  };

  /**
   * Answers one request. Events it raises go in its response message (one crossing instead of
   * one per event); the host publishes them after answering the call, so the caller waiting
   * for "accepted" hears it first and listeners lose nothing. Any raised after the response
   * (none today) follow on their own.
   */
  handle(raw: unknown): void {
    this.heldEvents = [];
    try {
      this.answer(raw);
    } finally {
      const events = this.heldEvents;
      this.heldEvents = undefined;
      for (const event of events) this.port.send({ kind: 'event', event });
    }
  }

  /** Sends a response with the events held so far. */
  private respond(response: { kind: 'response'; id: number | null } & ({ ok: true; result: unknown } | { ok: false; error: VseErrorValue }), sent?: () => void): void {
    const events = this.heldEvents ?? [];
    this.heldEvents = [];
    this.port.send(events.length > 0 ? { ...response, events } : response, sent);
  }

  private answer(raw: unknown): void {
    const envelope = requestEnvelope.safeParse(raw);
    if (!envelope.success) {
      this.replyError(idOf(raw), { code: 'BAD_REQUEST', message: `not a VSE request: ${z.prettifyError(envelope.error)}` });
      return;
    }
    const { id, method, params } = envelope.data;
    this.scheduleCheckpoint();
    let result: unknown;
    try {
      result = this.run(parseCall(method, params));
    } catch (error) {
      this.replyError(id, this.typed(error, method));
      return;
    }
    if (method === 'shutdown') {
      this.respond({ kind: 'response', id, ok: true, result }, () => this.options.exit(0));
      return;
    }
    this.respond({ kind: 'response', id, ok: true, result });
  }

  /** A WAL checkpoint once no request has come for IDLE_CHECKPOINT_MS. */
  private scheduleCheckpoint(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.vse?.checkpointWhenIdle(), IDLE_CHECKPOINT_MS);
    this.idleTimer.unref();
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.vse?.close();
    this.vse = undefined;
  }

  private replyError(id: number | null, error: VseErrorValue): void {
    this.respond({ kind: 'response', id, ok: false, error });
  }

  private typed(error: unknown, method: VseMethod): VseErrorValue {
    if (error instanceof VseError) return error.toValue();
    const storage = this.vse !== undefined ? storageError(error, this.vse.dataDir) : undefined;
    if (storage !== undefined) {
      if (storage.code === 'STORAGE_FULL' || storage.code === 'STORAGE_READ_ONLY' || storage.code === 'STORAGE_FAILED') {
        this.emit({ name: 'storage-error', code: storage.code, message: storage.message });
      }
      return storage.toValue();
    }
    // A bug, not bad input: answer with a code, keep serving, and leave a trace (no payment data).
    this.options.log?.(`vse: ${method} failed: ${(error as Error)?.stack ?? String(error)}`);
    return { code: 'INTERNAL', message: `${method} failed inside the VSE: ${(error as Error)?.message ?? String(error)}` };
  }

  private requireVse(): Vse {
    if (this.vse === undefined) throw new VseError('NOT_INITIALIZED', 'the VSE has not been initialised: send init first');
    return this.vse;
  }

  private requireTestMode(method: VseMethod): void {
    if (!this.options.testMode) throw new VseError('TEST_MODE_ONLY', `${method} exists only in a VSE started with --test-mode`);
  }

  private run(call: VseCall): unknown {
    switch (call.method) {
      case 'init': {
        const params = call.params;
        if (this.vse !== undefined) throw new VseError('ALREADY_INITIALIZED', 'the VSE is already initialised');
        if (params.testClockOffsetSeconds !== undefined) {
          this.requireTestMode(call.method);
          this.clockOffset = params.testClockOffsetSeconds;
        }
        const vse = Vse.open({ ...params, testMode: this.options.testMode, clock: this.clock, emit: this.emit });
        this.vse = vse;
        return { terminalKey: vse.terminalKey, terminalId: vse.terminalId, testMode: vse.testMode, schemaVersion: vse.db.pragma('user_version', { simple: true }) as number };
      }
      case 'shutdown':
        this.close();
        return {};
      case 'testSetClockOffset': {
        this.requireTestMode(call.method);
        this.clockOffset = call.params.seconds;
        return { now: this.clock() };
      }
      case 'testProbePermissions': {
        this.requireTestMode(call.method);
        const { outsidePath } = call.params;
        return {
          fsWriteOutside: denied(() => writeFileSync(outsidePath, 'the VSE must not be able to write this')),
          childProcess: denied(() => spawnSync('/bin/true')),
          worker: denied(() => new Worker('process.exit(0)', { eval: true }).terminate()),
        };
      }
      case 'status':
        return this.requireVse().status();
      case 'unsettled':
        return this.requireVse().unsettled();
      case 'settlementIssues':
        return this.requireVse().settlementIssues();
      case 'verifyAuditLog':
        return this.requireVse().verifyAuditLog();
      case 'exportAuditLog':
        return this.requireVse().exportAuditLog();
      case 'exportRecords':
        return this.requireVse().exportRecords();
      case 'databaseCheck':
        return this.requireVse().databaseCheck();
      case 'backupDatabase':
        return this.requireVse().backupDatabase(call.params);
      case 'purgeExpired':
        return this.requireVse().purgeExpired(call.params);
      case 'installTrustList':
        return this.requireVse().installTrustList(call.params);
      case 'installTerminalCertificate':
        return this.requireVse().installTerminalCertificate(call.params);
      case 'createPaymentRequest':
        return this.requireVse().createPaymentRequest(call.params);
      case 'cancelPaymentRequest':
        return this.requireVse().cancelPaymentRequest(call.params);
      case 'findPaymentRequest':
        return this.requireVse().findPaymentRequest(call.params);
      case 'getPayment':
        return this.requireVse().getPayment(call.params);
      case 'accept':
        return this.requireVse().accept(call.params);
      case 'nextBatch':
        return this.requireVse().nextBatch(call.params);
      case 'recordSettlementResult':
        return this.requireVse().recordSettlementResult(call.params);
      case 'listPayments':
        return this.requireVse().listPayments(call.params);
      case 'dayReport':
        return this.requireVse().dayReport(call.params);
      case 'reportDay':
        return this.requireVse().reportDay(call.params);
      case 'closeDay':
        return this.requireVse().closeDay(call.params);
    }
  }
}
