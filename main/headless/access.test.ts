// The access rules on their own: which credential proves which role, from where; which Host
// names and close reasons the host accepts and sends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newEcrToken, tokenSha256 } from '../ecr/credentials.ts';
import { HostNames, identify, isLoopback, presentedCredential, type AccessRules } from './access.ts';
import { closeReason } from './app-socket.ts';
import { DisplayPairing } from './display-pairing.ts';
import { newSecret } from './secrets.ts';

const register = newEcrToken();
const revoked = newEcrToken();
const pairing = new DisplayPairing({ codeSeconds: 120, attemptsPerCode: 5, maxDisplays: 4 });
const rules: AccessRules = {
  token: newSecret(),
  lan: true,
  pairing,
  ecrClients: () => [
    { name: 'till-register', tokenSha256: tokenSha256(register), createdAt: 1, revokedAt: null },
    { name: 'old-register', tokenSha256: tokenSha256(revoked), createdAt: 1, revokedAt: 5 },
  ],
};

describe('identify', () => {
  it('gives the cashier role for the launch token from this machine only', () => {
    for (const address of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) expect(identify(rules, rules.token, 'cookie', address)).toEqual({ role: 'cashier' });
    for (const address of ['192.168.1.20', '::ffff:10.0.0.7', 'fe80::1', undefined]) expect(identify(rules, rules.token, 'cookie', address)).toBeUndefined();
    expect(identify(rules, `${rules.token}x`, 'cookie', '127.0.0.1')).toBeUndefined();
    expect(identify(rules, rules.token.slice(1), 'bearer', '127.0.0.1')).toBeUndefined();
  });

  it('gives a paired display the display role from anywhere, and a register the ecr role by Bearer only', () => {
    const paired = pairing.redeem(pairing.current().code, '192.168.1.30');
    if (!paired.ok) throw new Error(paired.message);
    expect(identify(rules, paired.token, 'cookie', '192.168.1.30')).toEqual({ role: 'display', display: paired.display.id });
    expect(identify(rules, register, 'bearer', '192.168.1.40')).toEqual({ role: 'ecr', register: 'till-register' });
    expect(identify(rules, register, 'cookie', '127.0.0.1')).toBeUndefined();
    expect(identify(rules, revoked, 'bearer', '127.0.0.1')).toBeUndefined();
  });

  it('never mistakes any other string for a credential', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.constantFrom('cookie', 'bearer', 'query') , (secret, source) => {
      expect(identify(rules, secret, source as 'cookie', '127.0.0.1')).toBeUndefined();
    }));
  });
});

describe('presentedCredential', () => {
  it('takes ?token= on the entry page only, then a Bearer header, then the cookie', () => {
    expect(presentedCredential({ path: '/', queryToken: 'q', authorization: 'Bearer b', cookie: 'c' })).toEqual({ secret: 'q', source: 'query' });
    expect(presentedCredential({ path: '/app.js', queryToken: 'q', authorization: 'Bearer b', cookie: 'c' })).toEqual({ secret: 'b', source: 'bearer' });
    expect(presentedCredential({ path: '/', queryToken: ['a', 'b'], authorization: 'Basic x', cookie: 'c' })).toEqual({ secret: 'c', source: 'cookie' });
    expect(presentedCredential({ path: '/', queryToken: undefined, authorization: 'Bearer ', cookie: '' })).toBeUndefined();
  });
});

describe('HostNames', () => {
  it('answers to 127.0.0.1 and localhost on its port, and nothing else on loopback', () => {
    const hosts = new HostNames(false);
    hosts.listening(8780);
    expect(['127.0.0.1:8780', 'LOCALHOST:8780'].map((h) => hosts.allowed(h))).toEqual([true, true]);
    expect(['127.0.0.1:8781', 'evil.example:8780', '127.0.0.1', '', undefined].map((h) => hosts.allowed(h))).toEqual([false, false, false, false, false]);
    expect(isLoopback('127.0.0.1')).toBe(true);
  });
});

describe('closeReason', () => {
  it('fits any text into the 123 bytes a close frame allows, as a prefix of it', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
      const reason = closeReason(text);
      expect(Buffer.byteLength(reason, 'utf8')).toBeLessThanOrEqual(123);
      if (reason !== text) expect(text.startsWith(reason.slice(0, -3))).toBe(true);
    }));
  });
});
