// Display pairing codes with a clock the test moves: short, single-use, expiring, burned after
// a few wrong tries; a display token grants the display role and is never stored in the clear.
import { describe, expect, it } from 'vitest';
import { DisplayPairing } from './display-pairing.ts';

function pairing(maxDisplays = 16) {
  const clock = { now: 1_800_000_000_000 };
  return { clock, pairing: new DisplayPairing({ codeSeconds: 120, attemptsPerCode: 5, maxDisplays, now: () => clock.now }) };
}

describe('DisplayPairing', () => {
  it('has no code until a cashier asks for one; a code is six digits, the same while it lasts, and works once', () => {
    const { pairing: p } = pairing();
    expect(p.redeem('123456', '10.0.0.2')).toMatchObject({ ok: false, reason: 'no-code' });
    const { code, expiresAt } = p.current();
    expect(code).toMatch(/^\d{6}$/);
    expect(expiresAt).toBe(1_800_000_000 + 120);
    expect(p.current().code).toBe(code);
    const paired = p.redeem(code, '10.0.0.2');
    expect(paired).toMatchObject({ ok: true, token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), display: { id: 1, address: '10.0.0.2' } });
    expect(p.redeem(code, '10.0.0.3')).toMatchObject({ ok: false, reason: 'no-code' });
    expect(p.displayFor(paired.ok ? paired.token : '')).toMatchObject({ id: 1 });
    expect(p.displayFor('not-a-token')).toBeUndefined();
  });

  it('expires a code after its two minutes, and then makes a new one on request', () => {
    const { clock, pairing: p } = pairing();
    const { code } = p.current();
    clock.now += 119_999;
    expect(p.current().code).toBe(code);
    clock.now += 1;
    expect(p.redeem(code, 'x')).toMatchObject({ ok: false, reason: 'expired' });
    const next = p.current();
    expect(next.expiresAt).toBe(Math.floor(clock.now / 1000) + 120);
    expect(p.redeem(next.code, 'x')).toMatchObject({ ok: true });
  });

  it('burns a code at the fifth wrong try: the right code then fails too', () => {
    const { pairing: p } = pairing();
    const { code } = p.current();
    const wrong = code === '999999' ? '000000' : '999999';
    for (let i = 0; i < 4; i++) expect(p.redeem(wrong, 'x')).toMatchObject({ ok: false, reason: 'wrong' });
    expect(p.redeem(wrong, 'x')).toMatchObject({ ok: false, reason: 'burned' });
    expect(p.redeem(code, 'x')).toMatchObject({ ok: false, reason: 'no-code' });
  });

  it('keeps at most maxDisplays paired: the oldest goes', () => {
    const { pairing: p } = pairing(2);
    const tokens = [0, 1, 2].map(() => {
      const paired = p.redeem(p.current().code, 'x');
      if (!paired.ok) throw new Error(paired.message);
      return paired.token;
    });
    expect(p.pairedCount).toBe(2);
    expect(tokens.map((t) => p.displayFor(t)?.id)).toEqual([undefined, 2, 3]);
  });
});
