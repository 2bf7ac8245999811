/**
 * The wallet simulator's state file: one reservation (certificate and wallet key), the
 * installed trust list, the sequence counter and cumulative spend, and every IOU it signed.
 * JSON, mode 0600 (it holds a private key), replaced atomically (base/node/atomic-file.ts) so
 * a crash leaves the old state or the new, never a torn one. A lock file (base/node/lock-file.ts)
 * keeps two `kassa wallet` processes from signing with the same counter.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../base/node/atomic-file.ts';
import { CodedError } from '../../base/common/coded-error.ts';
import { lockFile, LockFileError, type FileLock } from '../../base/node/lock-file.ts';
import * as z from 'zod';

export const WALLET_FORMAT = 'kassa-wallet/1';

const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/, 'must be lower-case hex');
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

const walletPayment = z.strictObject({
  iouId: hex,
  seq: z.int().min(1),
  spentBefore: count,
  amount: z.int().min(1),
  currency: z.string(),
  payee: z.string(),
  requestId: hex.nullable(),
  created: count,
  /** Signed with a sequence number already used: a deliberate double spend (`--double-spend`). */
  doubleSpend: z.boolean(),
  text: z.string(),
});

export const walletState = z.strictObject({
  format: z.literal(WALLET_FORMAT),
  backend: z.string(),
  rootKeys: z.array(hex).min(1),
  /** The signed trust list (COSE bytes) as fetched when reserving. */
  trustList: hex,
  reservation: z.strictObject({
    reservationId: hex,
    currency: z.string(),
    amount: z.int().min(1),
    notAfter: count,
    /** The wallet certificate (COSE bytes) the backend issued. */
    certificate: hex,
    /** The wallet key, PKCS#8 DER. */
    privateKey: hex,
  }),
  counter: z.strictObject({ nextSeq: z.int().min(1), spent: count }),
  payments: z.array(walletPayment),
});

export type WalletState = z.output<typeof walletState>;
export type WalletPayment = z.output<typeof walletPayment>;

export type WalletFileErrorCode = 'NOT_FOUND' | 'UNREADABLE' | 'INVALID' | 'LOCKED' | 'EXISTS';

export class WalletFileError extends CodedError<WalletFileErrorCode> {
  override readonly name = 'WalletFileError';
}

export function readWalletFile(path: string): WalletState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'UNREADABLE';
    throw new WalletFileError(code, `cannot read wallet file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WalletFileError('INVALID', `wallet file ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = walletState.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new WalletFileError('INVALID', `wallet file ${path} is not a ${WALLET_FORMAT} file: ${issue?.path.join('.') || 'top'}: ${issue?.message}`);
  }
  return result.data;
}

/** Replaces the file's content atomically and durably. */
export function writeWalletFile(path: string, state: WalletState): void {
  writeFileAtomic(path, `${JSON.stringify(walletState.parse(state), null, 2)}\n`);
}

/** Runs `work` holding the wallet's lock file; a second process gets `LOCKED` at once. */
export async function withWalletLock<T>(path: string, work: () => T | Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  let held: FileLock;
  try {
    held = lockFile(lock);
  } catch (error) {
    if (error instanceof LockFileError && error.code === 'HELD') {
      throw new WalletFileError('LOCKED', `wallet ${path} is in use by another process${error.holder === undefined ? '' : ` (pid ${error.holder})`} (if none is, remove ${lock})`, { cause: error });
    }
    throw new WalletFileError('UNREADABLE', `cannot lock wallet ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await work();
  } finally {
    held.release();
  }
}
