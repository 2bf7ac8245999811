/**
 * `kassa backend`: the reference backend of OIP/1 §5 (sim/backend) — serve it, or run an
 * operator's action on its database file (accounts, deposits, enrollment tokens, revocations,
 * what happened). The actions open the file directly, so they work whether the server runs
 * or not; the same operations are loopback-only HTTP calls under /admin/v1 (docs/backend.md).
 */
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import type * as z from 'zod';
import { fromHex, toHex } from '../../../protocol/index.ts';
import { adminSchemas } from '../../backend/admin-routes.ts';
import { ReferenceBackend } from '../../backend/backend.ts';
import { systemClock, TestClock } from '../../backend/clock.ts';
import type { BackendConfig } from '../../backend/config.ts';
import { BackendDatabaseError } from '../../backend/database.ts';
import type { Outcome } from '../../backend/problems.ts';
import { DEFAULT_HOST, startBackendServer } from '../../backend/server.ts';
import { EXIT, parseOptions, UsageError, wholeNumber, type CliIo, type Command } from '../../../main/cli/command.ts';

export const DEFAULT_BACKEND_DB = 'kassa-backend.sqlite';

const USAGE = `kassa backend [serve] [--db FILE] [--host HOST] [--port PORT] [--reservation-ttl S] [--settlement-grace S]
                   [--test-clock] [--log-level LEVEL]
kassa backend add-account --db FILE --account ID --currency CUR [--balance MINOR]
kassa backend deposit     --db FILE --account ID --amount MINOR
kassa backend token       --db FILE --merchant-id ID --merchant-name NAME [--terminal-id ID] [--ttl S]
kassa backend revoke      --db FILE RESERVATION_ID_HEX
kassa backend show        --db FILE (--account ID | --reservation HEX | --merchant ID | --terminal ID | --audit)
kassa backend root-key    --db FILE

The reference backend (issuer, acquirer, settlement) — a test and demo peer, not a production
service: its keys are stored unencrypted and it trusts any caller that names an account.

serve (the default) prints one JSON line when it listens:
  {"event":"listening","url":"http://127.0.0.1:PORT","rootKeys":["HEX"],...}
and runs until SIGINT or SIGTERM. Logs go to standard error.

  --db FILE              the backend's SQLite file, created on first use (default ${DEFAULT_BACKEND_DB})
  --host HOST            address to bind (default ${DEFAULT_HOST}); admin calls answer loopback peers only
  --port PORT            TCP port, 0 for any free one (default 0)
  --reservation-ttl S    how long new reservations are valid (default 7 days)
  --settlement-grace S   how long after expiry a reservation's IOUs are still settled (default 7 days)
  --test-clock           enable POST /admin/v1/clock to move the backend's clock forward (tests only)
  --log-level LEVEL      pino level: fatal, error, warn, info, debug (default info)

The actions print their result as JSON and exit 0, or print the problem and exit 1.`;

const ACTIONS = ['serve', 'add-account', 'deposit', 'token', 'revoke', 'show', 'root-key'] as const;
type Action = (typeof ACTIONS)[number];

const OPTIONS = {
  db: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'reservation-ttl': { type: 'string' },
  'settlement-grace': { type: 'string' },
  'test-clock': { type: 'boolean' },
  'log-level': { type: 'string' },
  account: { type: 'string' },
  currency: { type: 'string' },
  balance: { type: 'string' },
  amount: { type: 'string' },
  'merchant-id': { type: 'string' },
  'merchant-name': { type: 'string' },
  'terminal-id': { type: 'string' },
  ttl: { type: 'string' },
  reservation: { type: 'string' },
  merchant: { type: 'string' },
  terminal: { type: 'string' },
  audit: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

export const backendCommand: Command = {
  usage: USAGE,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const [first, ...rest] = positionals;
    const action: Action = first === undefined ? 'serve' : (ACTIONS as readonly string[]).includes(first) ? (first as Action) : invalidAction(first);
    const db = values.db ?? DEFAULT_BACKEND_DB;
    if (action === 'serve') {
      if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
      return serve(values, db, io);
    }
    if (!existsSync(db)) throw new UsageError(`no backend database at ${db} (serve creates one; --db names it)`);
    const backend = openOrReport(io, { path: db });
    if (backend === undefined) return EXIT.rejected;
    try {
      return runAction(action, backend, values, rest, io);
    } finally {
      backend.close();
    }
  },
};

/** Opens the backend's database, or says why it cannot on stderr. */
function openOrReport(io: CliIo, options: Parameters<typeof ReferenceBackend.open>[0]): ReferenceBackend | undefined {
  try {
    return ReferenceBackend.open(options);
  } catch (error) {
    if (!(error instanceof BackendDatabaseError)) throw error;
    io.stderr(`kassa backend: ${error.message}\n`);
    return undefined;
  }
}

function invalidAction(name: string): never {
  throw new UsageError(`unknown action ${JSON.stringify(name)}; one of ${ACTIONS.join(', ')}`);
}

function required(values: Values, name: keyof Values): string {
  const value = values[name];
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`);
  return value;
}

/** Validates an admin request exactly as the HTTP endpoint does, with usage errors. */
function adminRequest<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

function print<T>(io: CliIo, result: Outcome<T>): number {
  if (!result.ok) {
    io.stderr(`kassa backend: ${result.problem.title}: ${result.problem.detail}\n`);
    return EXIT.rejected;
  }
  io.stdout(`${JSON.stringify(result.value, null, 2)}\n`);
  return EXIT.ok;
}

function found<T>(io: CliIo, value: T | undefined, what: string): number {
  return print(io, value === undefined ? { ok: false, problem: { type: 'about:blank', title: 'Not found', status: 404, detail: `no ${what}` } } : { ok: true, value });
}

function reservationIdArgument(hex: string | undefined): Uint8Array {
  const id = hex === undefined ? undefined : fromHex(hex);
  if (id === undefined || id.length < 8 || id.length > 16) throw new UsageError(`expected a reservation id (8..16 bytes of hex), got ${JSON.stringify(hex)}`);
  return id;
}

function runAction(action: Exclude<Action, 'serve'>, backend: ReferenceBackend, values: Values, rest: string[], io: CliIo): number {
  if (action !== 'revoke' && rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  switch (action) {
    case 'add-account': {
      const request = adminRequest(adminSchemas.account, {
        accountId: required(values, 'account'),
        currency: required(values, 'currency'),
        balance: wholeNumber('balance', values.balance) ?? 0,
      });
      return print(io, backend.createAccount(request.accountId, request.currency, request.balance));
    }
    case 'deposit':
      return print(io, backend.deposit(required(values, 'account'), wholeNumber('amount', required(values, 'amount'), 1)!));
    case 'token': {
      const request = adminRequest(adminSchemas.enrollmentToken, {
        merchantId: required(values, 'merchant-id'),
        merchantName: required(values, 'merchant-name'),
        terminalId: values['terminal-id'],
        ttlSeconds: wholeNumber('ttl', values.ttl, 1),
      });
      return print(io, { ok: true, value: backend.createEnrollmentToken(request) });
    }
    case 'revoke': {
      if (rest.length !== 1) throw new UsageError('expected exactly one RESERVATION_ID_HEX');
      return print(io, backend.revokeReservation(reservationIdArgument(rest[0])));
    }
    case 'show': {
      backend.releaseDue();
      if (values.account !== undefined) return found(io, backend.account(values.account), `account ${JSON.stringify(values.account)}`);
      if (values.reservation !== undefined) return found(io, backend.reservation(reservationIdArgument(values.reservation)), `reservation ${values.reservation}`);
      if (values.merchant !== undefined) return found(io, backend.merchant(values.merchant), `merchant ${JSON.stringify(values.merchant)}`);
      if (values.terminal !== undefined) return found(io, backend.terminalIous(values.terminal), `terminal ${JSON.stringify(values.terminal)}`);
      if (values.audit) return print(io, { ok: true, value: backend.audit() });
      throw new UsageError('show needs one of --account, --reservation, --merchant, --terminal, --audit');
    }
    case 'root-key':
      io.stdout(`${backend.rootPublicKeys().map(toHex).join('\n')}\n`);
      return EXIT.ok;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

async function serve(values: Values, db: string, io: CliIo): Promise<number> {
  const port = wholeNumber('port', values.port) ?? 0;
  if (port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const logLevel = values['log-level'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const config: Partial<BackendConfig> = {};
  const ttl = wholeNumber('reservation-ttl', values['reservation-ttl'], 1);
  if (ttl !== undefined) config.reservationTtlSeconds = ttl;
  const grace = wholeNumber('settlement-grace', values['settlement-grace']);
  if (grace !== undefined) config.settlementGraceSeconds = grace;
  const testClock = values['test-clock'] ? new TestClock() : undefined;

  const logger = pino({ level: logLevel, base: { service: 'kassa-backend' } }, pino.destination(2));
  const backend = openOrReport(io, { path: db, config, clock: testClock ?? systemClock });
  if (backend === undefined) return EXIT.rejected;
  let running;
  try {
    running = await startBackendServer({ backend, host: values.host ?? DEFAULT_HOST, port, testClock, logger });
  } catch (error) {
    backend.close();
    io.stderr(`kassa backend: cannot listen on ${values.host ?? DEFAULT_HOST}:${port}: ${(error as Error).message}\n`);
    return EXIT.rejected;
  }
  io.stdout(
    `${JSON.stringify({ event: 'listening', url: running.url, host: running.host, port: running.port, rootKeys: backend.rootPublicKeys().map(toHex), db, testClock: testClock !== undefined })}\n`,
  );
  logger.info({ url: running.url, db }, 'reference backend listening (a test peer, not a production service)');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  backend.close();
  logger.info('stopped');
  return EXIT.ok;
}
