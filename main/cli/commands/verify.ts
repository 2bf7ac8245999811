/**
 * `kassa verify` (OIP/1 §6): checks 1–11 of §4 on a `KP1:` text with exactly the verifier the
 * VSE runs (protocol/verify.ts over node:crypto), and prints one JSON object.
 */
import { readFileSync } from 'node:fs';
import { toHex, verifyPayment, verifyTrustList, type VerifiedTrustList } from '../../../protocol/index.ts';
import { nodeVerify } from '../../../base/node/node-es256.ts';
import { EXIT, parseOptions, rootKeysOption, textArgument, toJson, unixSeconds, UsageError, wholeNumber, type Command } from '../command.ts';

export const verifyCommand: Command = {
  usage: `kassa verify --root-key HEX --trust-list FILE [--terminal-id ID] [--now UNIX] [--trust-list-grace SECONDS] [--clock-skew SECONDS] TEXT

  --root-key HEX          the scheme root public key, 33-byte compressed P-256 point in hex (repeatable)
  --trust-list FILE       the signed trust list, COSE_Sign1 bytes as served by GET /v1/trust-list
  --terminal-id ID        this terminal's id; without it check 11 (WRONG_PAYEE) is skipped
  --now UNIX              the time to verify at, Unix seconds; default: the system clock
  --trust-list-grace S    seconds a trust list stays usable past its next_update (default 259200)
  --clock-skew S          seconds the IOU's created may lie from --now, either way (default 600)
  TEXT                    the KP1: text, or - to read it from standard input

Prints {"ok": true, "iouId": ...} and exits 0, or {"ok": false, "reason": CODE} and exits 1;
exits 2 on a usage error.`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, {
      'root-key': { type: 'string', multiple: true },
      'trust-list': { type: 'string' },
      'terminal-id': { type: 'string' },
      now: { type: 'string' },
      'trust-list-grace': { type: 'string' },
      'clock-skew': { type: 'string' },
    });
    const rootKeys = rootKeysOption(values['root-key']);
    if (rootKeys.length === 0) throw new UsageError('--root-key is required');
    const trustListPath = values['trust-list'];
    if (trustListPath === undefined) throw new UsageError('--trust-list is required');
    let trustListBytes: Uint8Array;
    try {
      trustListBytes = readFileSync(trustListPath);
    } catch (error) {
      throw new UsageError(`cannot read --trust-list ${trustListPath}: ${(error as Error).message}`);
    }
    const now = unixSeconds('now', values.now) ?? Math.floor(Date.now() / 1000);
    const trustListGraceSeconds = unixSeconds('trust-list-grace', values['trust-list-grace']);
    const clockSkewSeconds = wholeNumber('clock-skew', values['clock-skew']);
    const input = await textArgument(positionals, io);
    if (!input.ok) {
      io.stdout(toJson({ ok: false, reason: 'MALFORMED', detail: input.detail }) + '\n');
      return EXIT.rejected;
    }
    const text = input.text;

    // A trust list that does not verify is no trust list (check 2); the bundle's own
    // structure (check 1) is still looked at first, inside verifyPayment.
    const trust = verifyTrustList(trustListBytes, rootKeys, nodeVerify);
    const trustList: VerifiedTrustList | undefined = trust.ok ? trust.trustList : undefined;
    const result = verifyPayment(text, {
      trustList,
      now,
      terminalId: values['terminal-id'],
      verify: nodeVerify,
      ...(trustListGraceSeconds === undefined ? {} : { trustListGraceSeconds }),
      ...(clockSkewSeconds === undefined ? {} : { clockSkewSeconds }),
    });
    if (!result.ok) {
      const detail = result.reason === 'NO_TRUST_LIST' && !trust.ok ? trust.detail : result.detail;
      io.stdout(toJson({ ok: false, reason: result.reason, detail }) + '\n');
      return EXIT.rejected;
    }
    const { payment } = result;
    const iou = payment.iou.value;
    const certificate = payment.walletCertificate.value;
    io.stdout(
      toJson({
        ok: true,
        iouId: toHex(payment.iouId),
        reservationId: iou.reservationId,
        seq: iou.seq,
        spentBefore: iou.spentBefore,
        amount: iou.amount,
        currency: iou.currency,
        payee: iou.payee,
        requestId: iou.requestId ?? null,
        created: iou.created,
        reservedAmount: certificate.reservedAmount,
        walletKey: certificate.walletKey,
        issuerKid: payment.issuerKid,
      }) + '\n',
    );
    return EXIT.ok;
  },
};
