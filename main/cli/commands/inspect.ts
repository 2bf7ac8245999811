/**
 * `kassa inspect` (OIP/1 §6): decodes a `KR1:`, `KP1:` or `KA1:` text and prints its objects
 * as JSON — field names as the spec writes them, byte strings as hex — without verifying any
 * signature. Exits 1 on MALFORMED.
 */
import {
  decodePaymentBundle,
  decodeReceiptBundle,
  decodeRequestBundle,
  iouIdOf,
  MalformedError,
  parseBundleText,
  PREFIX,
  SIGNED,
  type Signed,
  type SignedKind,
} from '../../../protocol/index.ts';
import { EXIT, parseOptions, textArgument, toJson, type Command } from '../command.ts';

/** `reservationId` → `reservation_id`: the spec's own field names. */
function specNames(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

function describe(kind: SignedKind, signed: Signed<object>, extra: Record<string, unknown> = {}) {
  return {
    type: kind.name,
    ...(signed.sign1.kid ? { kid: signed.sign1.kid } : {}),
    ...extra,
    payload: specNames(signed.value),
    signature: signed.sign1.signature,
  };
}

function inspect(text: string) {
  const { prefix, bytes } = parseBundleText(text);
  switch (prefix) {
    case PREFIX.payment: {
      const bundle = decodePaymentBundle(bytes);
      return {
        prefix,
        objects: [
          describe(SIGNED.walletCertificate, bundle.walletCertificate),
          describe(SIGNED.iou, bundle.iou, { iou_id: iouIdOf(bundle.iou) }),
        ],
      };
    }
    case PREFIX.request: {
      const bundle = decodeRequestBundle(bytes);
      return { prefix, objects: [describe(SIGNED.terminalCertificate, bundle.terminalCertificate), describe(SIGNED.paymentRequest, bundle.request)] };
    }
    case PREFIX.receipt:
      return { prefix, objects: [describe(SIGNED.receipt, decodeReceiptBundle(bytes).receipt)] };
  }
}

export const inspectCommand: Command = {
  usage: `kassa inspect TEXT

  TEXT   the KR1:, KP1: or KA1: text, or - to read it from standard input

Prints the decoded objects as JSON (byte strings as hex) and exits 0; prints
{"ok": false, "reason": "MALFORMED", ...} and exits 1 when the text does not decode.`,

  async run(args, io) {
    const { positionals } = parseOptions(args, {});
    const input = await textArgument(positionals, io);
    if (!input.ok) {
      io.stdout(toJson({ ok: false, reason: 'MALFORMED', detail: input.detail }) + '\n');
      return EXIT.rejected;
    }
    try {
      io.stdout(toJson({ ok: true, ...inspect(input.text) }, 2) + '\n');
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof MalformedError)) throw error;
      io.stdout(toJson({ ok: false, reason: error.reason, detail: error.message }) + '\n');
      return EXIT.rejected;
    }
  },
};
