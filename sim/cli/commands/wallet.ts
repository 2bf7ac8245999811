/**
 * `kassa wallet`: the payer's wallet simulator (sim/wallet). `reserve` holds funds at a
 * backend and keeps the reservation in a wallet file; `pay` answers a terminal's `KR1:`
 * request offline with a `KP1:` payment — as text, as a QR code in the terminal, as a PNG —
 * continuing the reservation's sequence; `show` prints the wallet file's state.
 */
import { formatAmount, toHex } from '../../../protocol/index.ts';
import { payFromWallet, reserveWallet, WalletError, type ReservationPort, type WalletPayResult } from '../../wallet/persistent-wallet.ts';
import { readWalletFile, WalletFileError } from '../../wallet/wallet-file.ts';
import { BackendClient, type BackendResult } from '../../../main/settlement/backend-client.ts';
import { pngPathOption, QR_OPTIONS, qrForTerminal, writeQrPngFile } from '../../../main/cli/qr-output.ts';
import { EXIT, parseOptions, rootKeysOption, textArgument, unixSeconds, UsageError, wholeNumber, type CliIo, type Command, type TextInput } from '../../../main/cli/command.ts';

export const DEFAULT_WALLET_FILE = 'kassa-wallet.json';

const USAGE = `kassa wallet reserve --backend URL --amount MINOR [--currency CUR] [--account ID] [--wallet FILE] [--root-key HEX] [--replace]
kassa wallet pay [--wallet FILE] [--double-spend] [--qr] [--png FILE] [--json] [--now UNIX] KR1_TEXT
kassa wallet show [--wallet FILE]

The payer's wallet simulator, for demos and tests.

reserve   holds MINOR units (cents, öre) of the account at the backend for a fresh wallet key
          and writes the reservation into the wallet file (an existing file needs --replace)
  --backend URL     the backend, e.g. http://127.0.0.1:8750
  --currency CUR    ISO 4217 code (default SEK)
  --account ID      the payer's account at the backend (default demo)
  --root-key HEX    the scheme root key to check the trust list with (repeatable); without it
                    the wallet takes the backend's own word for it (GET /v1/scheme)
pay       checks a terminal's KR1: request and prints the KP1: payment on the first line of
          standard output; the next sequence number and the cumulative spend are saved first
  --double-spend    sign under the last payment's sequence number again (a deliberate double spend)
  --qr              also draw the payment as a QR code in the terminal (light on dark)
  --png FILE        also write the payment as a QR code PNG
  --json            print {"ok":true,"text":...,"seq":...} instead of the bare text
  KR1_TEXT          the request, or - to read it from standard input
  --wallet FILE     the wallet file (default ${DEFAULT_WALLET_FILE}), JSON, mode 0600

Exit codes: 0 paid or reserved, 1 refused (request invalid, insufficient funds, backend refusal), 2 usage.`;

const OPTIONS = {
  backend: { type: 'string' },
  amount: { type: 'string' },
  currency: { type: 'string' },
  account: { type: 'string' },
  wallet: { type: 'string' },
  'root-key': { type: 'string', multiple: true },
  replace: { type: 'boolean' },
  'double-spend': { type: 'boolean' },
  ...QR_OPTIONS,
  json: { type: 'boolean' },
  now: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

/** A backend refusal or failure, for the person at the command line. */
class BackendCallError extends Error {}

function unwrap<T>(result: BackendResult<T>, what: string): T {
  if (result.ok) return result.value;
  throw new BackendCallError(`${what}: ${result.error.code} ${result.error.detail}`);
}

function reservationPort(client: BackendClient): ReservationPort {
  return {
    reserve: async (request) => unwrap(await client.reserve(request), 'reservation refused').certificate,
    trustList: async () => unwrap(await client.trustList(), 'trust list unavailable'),
  };
}

export const walletCommand: Command = {
  usage: USAGE,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const [action, ...rest] = positionals;
    const path = values.wallet ?? DEFAULT_WALLET_FILE;
    try {
      if (action === 'reserve') {
        if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
        return await reserve(values, path, io);
      }
      if (action === 'pay') return await pay(values, path, await textArgument(rest, io), io);
      if (action === 'show') {
        if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
        const { reservation, counter, payments, backend } = readWalletFile(path);
        const { privateKey: _secret, certificate: _certificate, ...visible } = reservation;
        io.stdout(`${JSON.stringify({ backend, reservation: visible, counter, payments: payments.map(({ text: _text, ...p }) => p) }, null, 2)}\n`);
        return EXIT.ok;
      }
      throw new UsageError(action === undefined ? 'expected an action: reserve, pay or show' : `unknown action ${JSON.stringify(action)}`);
    } catch (error) {
      if (error instanceof WalletFileError || error instanceof WalletError || error instanceof BackendCallError) {
        io.stderr(`kassa wallet: ${error.message}\n`);
        return EXIT.rejected;
      }
      throw error;
    }
  },
};

async function reserve(values: Values, path: string, io: CliIo): Promise<number> {
  const backendUrl = values.backend;
  if (backendUrl === undefined) throw new UsageError('--backend is required');
  if (!/^https?:\/\//.test(backendUrl)) throw new UsageError(`--backend must be an http(s) URL, got ${JSON.stringify(backendUrl)}`);
  const amount = wholeNumber('amount', values.amount, 1);
  if (amount === undefined) throw new UsageError('--amount is required');
  const currency = values.currency ?? 'SEK';
  if (!/^[A-Z]{3}$/.test(currency)) throw new UsageError(`--currency must be 3 upper-case letters, got ${JSON.stringify(currency)}`);
  const account = values.account ?? 'demo';
  const client = new BackendClient({ baseUrl: backendUrl });
  let rootKeys = rootKeysOption(values['root-key']);
  if (rootKeys.length === 0) {
    rootKeys = unwrap(await client.rootKeys(), 'cannot learn the root key from the backend');
    io.stderr(`kassa wallet: trusting root key ${rootKeys.map(toHex).join(', ')} as the backend states it (pin it with --root-key)\n`);
  }
  const state = await reserveWallet({
    path,
    port: reservationPort(client),
    backendUrl,
    rootKeys,
    account,
    currency,
    amount,
    now: Math.floor(Date.now() / 1000),
    replace: values.replace ?? false,
  });
  const { reservationId, notAfter } = state.reservation;
  io.stdout(`${JSON.stringify({ ok: true, wallet: path, reservationId, account, currency, amount, notAfter })}\n`);
  return EXIT.ok;
}

async function pay(values: Values, path: string, request: TextInput, io: CliIo): Promise<number> {
  const now = unixSeconds('now', values.now) ?? Math.floor(Date.now() / 1000);
  const png = pngPathOption(values.png);
  const result: WalletPayResult = request.ok
    ? await payFromWallet(path, request.text, { now, doubleSpend: values['double-spend'] ?? false })
    : { ok: false, refusal: 'REQUEST_INVALID', detail: `MALFORMED: ${request.detail}` };
  if (!result.ok) {
    if (values.json) io.stdout(`${JSON.stringify({ ok: false, refusal: result.refusal, detail: result.detail })}\n`);
    io.stderr(`kassa wallet: not paid: ${result.refusal}: ${result.detail}\n`);
    return EXIT.rejected;
  }
  const { payment, state } = result;
  if (values.json) {
    const { text, ...rest } = payment;
    io.stdout(`${JSON.stringify({ ok: true, text, ...rest, counter: state.counter })}\n`);
  } else {
    io.stdout(`${payment.text}\n`);
  }
  if (values.qr) io.stdout(await qrForTerminal(payment.text));
  if (png !== undefined) await writeQrPngFile(io, 'wallet', png, payment.text);
  const note = payment.doubleSpend ? ' — a deliberate DOUBLE SPEND of that sequence number' : '';
  io.stderr(`kassa wallet: paid ${formatAmount(payment.amount, payment.currency)} to ${payment.payee}, IOU seq ${payment.seq}${note}; ${formatAmount(state.reservation.amount - state.counter.spent, payment.currency)} left\n`);
  return EXIT.ok;
}
