/**
 * `POST /demo/wallet`: the demo wallet panel's route (renderer/app/components/DemoWallet.tsx),
 * a headless-server plugin that only `kassa demo` mounts — the product has no simulator.
 *
 * It sits behind the server's own checks like every route (main/headless/server.ts: a valid
 * credential, this machine's Host, a same-origin Origin on a POST), and then takes only the
 * cashier's credential, the per-launch token: a paired customer display may not pay.
 *
 *   body   {"action": "pay" | "double-spend" | "wrong-amount", "requestText": "KR1:..."}
 *   200    {"ok": true, "action", "seq", "amount", "currency", "device", "reserved"}: the payment
 *          was signed and written into the scanner; the verdict comes as the till's event
 *   400    the body is not that; 403 not the cashier; 409 the wallet would not pay
 *          (`code`: WALLET_REFUSED, NOTHING_TO_DOUBLE_SPEND); 503 the scanner is gone
 */
import * as z from 'zod';
import type { HeadlessPlugin } from '../../../main/headless/server.ts';
import { MAX_PAYMENT_TEXT_LENGTH } from '../../../vse/contract/limits.ts';
import { DEMO_ACTIONS, DemoWallet } from './demo-wallet.ts';

export const DEMO_WALLET_PATH = '/demo/wallet';

const demoWalletBody = z.strictObject({
  action: z.enum(DEMO_ACTIONS),
  requestText: z.string().min(1).max(MAX_PAYMENT_TEXT_LENGTH),
});

export interface DemoWalletRouteOptions {
  wallet: DemoWallet;
  /** Told what the wallet did (the demo prints it). */
  onPaid?: (line: string) => void;
}

export function demoWalletRoute(options: DemoWalletRouteOptions): HeadlessPlugin {
  const { wallet, onPaid } = options;
  return (app, { identityOf }) => {
    app.post(DEMO_WALLET_PATH, async (request, reply) => {
      const send = (statusCode: number, body: Record<string, unknown>) => reply.code(statusCode).type('application/json; charset=utf-8').send(body);
      if (identityOf(request)?.role !== 'cashier') return send(403, { statusCode: 403, error: 'Forbidden', message: 'only the cashier\'s screen pays from the demo wallet' });
      const body = demoWalletBody.safeParse(request.body);
      if (!body.success) {
        const message = body.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
        return send(400, { statusCode: 400, error: 'Bad Request', message: `expected {"action": ${DEMO_ACTIONS.map((a) => `"${a}"`).join(' | ')}, "requestText": "KR1:..."}: ${message}` });
      }
      const result = await wallet.pay(body.data.action, body.data.requestText);
      if (!result.ok) {
        const statusCode = result.code === 'SCANNER_UNAVAILABLE' ? 503 : 409;
        return send(statusCode, { statusCode, error: statusCode === 503 ? 'Service Unavailable' : 'Conflict', code: result.code, message: result.message });
      }
      onPaid?.(DemoWallet.describe(result));
      const { payment } = result;
      return send(200, { ok: true, action: result.action, seq: payment.seq, amount: payment.amount, currency: payment.currency, device: result.device, reserved: result.reserved });
    });
  };
}

