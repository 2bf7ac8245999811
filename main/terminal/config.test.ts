import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { configForEnrollment, parseTerminalConfig, readTerminalConfig, TERMINAL_CONFIG_FORMAT, writeTerminalConfig, type TerminalConfig } from './config.ts';
import { TerminalSetupError } from './errors.ts';
import { fileStatusStore } from '../settlement/settlement-status.ts';

const tempFolder = tempFolders();

const ROOT = `03${'ab'.repeat(32)}`;
const OTHER_ROOT = `02${'cd'.repeat(32)}`;
const valid: TerminalConfig = {
  format: TERMINAL_CONFIG_FORMAT,
  backendUrl: 'http://127.0.0.1:8750',
  rootKeys: [ROOT],
  policy: { allowPayerInitiated: false, defaultLimits: { maxPaymentAmount: 5_000, maxUnsettledTotal: 50_000, maxUnsettledPerReservation: 10_000 } },
  settlement: { batchSize: 200, idleProbeSeconds: 30 },
};

function configError(text: string): TerminalSetupError {
  try {
    parseTerminalConfig(text, 'config.json');
  } catch (error) {
    if (error instanceof TerminalSetupError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the terminal config file', () => {
  it('reads what it wrote, owner-only', () => {
    const path = join(tempFolder('kassa-config-'), 'config.json');
    writeTerminalConfig(path, valid);
    expect(readTerminalConfig(path)).toEqual(valid);
    const narrowSkew = { ...valid, policy: { ...valid.policy, clockSkewSeconds: 120 } };
    writeTerminalConfig(path, narrowSkew);
    expect(readTerminalConfig(path).policy?.clockSkewSeconds).toBe(120);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('says the terminal is not set up when there is no file, and how to set it up', () => {
    expect(() => readTerminalConfig('/nonexistent/kassa/config.json')).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED', message: expect.stringMatching(/kassa enroll/) }));
  });

  it.each([
    ['not JSON', '{"format": ', /not JSON/],
    ['another format', JSON.stringify({ ...valid, format: 'kassa-terminal/2' }), /format/],
    ['a backend that is not an http URL', JSON.stringify({ ...valid, backendUrl: 'ftp://example.com' }), /backendUrl/],
    ['a root key that is not a compressed point', JSON.stringify({ ...valid, rootKeys: ['04'.padEnd(66, '0')] }), /rootKeys/],
    ['no root key', JSON.stringify({ ...valid, rootKeys: [] }), /at least one root key/],
    ['an unknown setting', JSON.stringify({ ...valid, colour: 'blue' }), /colour/],
    ['a policy field out of range', JSON.stringify({ ...valid, policy: { maxRequestTtlSeconds: 0 } }), /policy\.maxRequestTtlSeconds/],
    ["a clock skew wider than the scheme's revocation grace", JSON.stringify({ ...valid, policy: { clockSkewSeconds: 601 } }), /policy\.clockSkewSeconds/],
    ['a clock skew of a fraction of a second', JSON.stringify({ ...valid, policy: { clockSkewSeconds: 90.5 } }), /policy\.clockSkewSeconds/],
    ['a batch larger than the VSE hands out', JSON.stringify({ ...valid, settlement: { batchSize: 5_000 } }), /settlement\.batchSize/],
    // The host's own settings, with the same discipline.
    ['a till name too long', JSON.stringify({ ...valid, host: { till: 'x'.repeat(33) } }), /host\.till/],
    ['a language Kassa does not speak', JSON.stringify({ ...valid, host: { language: 'de' } }), /host\.language.*"en"\|"sv"|host\.language/],
    ['a currency that is no ISO code', JSON.stringify({ ...valid, host: { currency: 'kr' } }), /host\.currency/],
    ['auto-print that is not true or false', JSON.stringify({ ...valid, host: { autoPrint: 'yes' } }), /host\.autoPrint/],
    ['a request lifetime above ten minutes', JSON.stringify({ ...valid, host: { requestTtlSeconds: 3_600 } }), /host\.requestTtlSeconds/],
    ['a device with an unknown driver', JSON.stringify({ ...valid, host: { devices: [{ id: 'front', driver: 'laser', path: '/dev/ttyACM0' }] } }), /host\.devices\[0\]|host\.devices\.0/],
    ['two devices with one id', JSON.stringify({ ...valid, host: { devices: [{ id: 'a', driver: 'pn532', path: '/x' }, { id: 'a', driver: 'pn532', path: '/y' }] } }), /device ids must be unique/],
    ['a LAN port out of range', JSON.stringify({ ...valid, host: { lan: { port: 70_000 } } }), /host\.lan\.port/],
    ['a register token that is not a SHA-256', JSON.stringify({ ...valid, host: { ecr: { clients: [{ name: 'front', tokenSha256: 'abc', createdAt: 0, revokedAt: null }] } } }), /host\.ecr\.clients/],
    ['an unknown host setting', JSON.stringify({ ...valid, host: { theme: 'dark' } }), /theme/],
  ])('refuses %s with CONFIG_INVALID naming the field', (_what, text, detail) => {
    const error = configError(text);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/config\.json/);
    expect(error.message).toMatch(detail);
  });

  it('fills the host section with its defaults and keeps a fresh host\'s file that has no backend yet', () => {
    const path = join(tempFolder('kassa-config-'), 'config.json');
    writeTerminalConfig(path, { ...valid, host: { till: 'Kiosk 3', language: 'sv' } as never });
    const read = readTerminalConfig(path);
    expect(read.host).toMatchObject({ till: 'Kiosk 3', language: 'sv', currency: 'SEK', autoPrint: false, requestTtlSeconds: 120, devices: [], lan: { enabled: false } });
    // `kassa serve` on a fresh folder writes only its host section; the terminal's commands still say "not set up".
    writeFileSync(path, JSON.stringify({ format: TERMINAL_CONFIG_FORMAT, host: { till: 'New till' } }));
    expect(() => readTerminalConfig(path)).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED' }));
  });

  it('answers any text with a configuration or CONFIG_INVALID, never another error', () => {
    const jsonish = fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.record({ format: fc.constant(TERMINAL_CONFIG_FORMAT), backendUrl: fc.webUrl(), rootKeys: fc.array(fc.string()) }).map((v) => JSON.stringify(v)));
    fc.assert(
      fc.property(jsonish, (text) => {
        try {
          const config = parseTerminalConfig(text, 'config.json');
          expect(config.format).toBe(TERMINAL_CONFIG_FORMAT);
        } catch (error) {
          expect(error).toBeInstanceOf(TerminalSetupError);
          expect((error as TerminalSetupError).code).toBe('CONFIG_INVALID');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('builds the enrollment config from what is given and what is kept', () => {
    expect(configForEnrollment(undefined, 'http://b:1', [ROOT])).toEqual({ format: TERMINAL_CONFIG_FORMAT, backendUrl: 'http://b:1', rootKeys: [ROOT] });
    expect(configForEnrollment(valid, 'http://moved:2', [])).toEqual({ ...valid, backendUrl: 'http://moved:2' });
    expect(configForEnrollment(valid, valid.backendUrl, [OTHER_ROOT]).rootKeys).toEqual([OTHER_ROOT]);
    expect(() => configForEnrollment(undefined, 'http://b:1', [])).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED', message: expect.stringMatching(/--root-key/) }));
  });
});

describe('the settlement status file', () => {
  const failure = fc.record(
    {
      source: fc.constantFrom('backend' as const, 'vse' as const, 'host' as const),
      code: fc.string({ maxLength: 20 }),
      detail: fc.string({ maxLength: 60 }),
      retryable: fc.boolean(),
      at: fc.nat(),
      httpStatus: fc.integer({ min: 100, max: 599 }),
      problemType: fc.string({ maxLength: 30 }),
      retryAfterSeconds: fc.nat(3600),
    },
    { requiredKeys: ['source', 'code', 'detail', 'retryable', 'at'] },
  );
  const persisted = fc.record({
    format: fc.constant('kassa-settlement-status/1' as const),
    lastAttemptAt: fc.option(fc.nat(), { nil: null }),
    lastSuccessAt: fc.option(fc.nat(), { nil: null }),
    lastError: fc.option(failure, { nil: null }),
    refusedBatch: fc.option(fc.record({ batchId: fc.string({ maxLength: 32 }), idempotencyKey: fc.uuid(), iouCount: fc.nat(1000), failure }), { nil: null }),
  });

  it('keeps what the service saw, exactly', () => {
    const path = join(tempFolder('kassa-status-'), 'settlement-status.json');
    const store = fileStatusStore(path);
    expect(store.load()).toBeUndefined();
    fc.assert(
      fc.property(persisted, (status) => {
        store.save(status);
        expect(store.load()).toEqual(status);
      }),
      { numRuns: 100 },
    );
  });

  it('ignores a file it cannot read, whatever is in it, and writes over it at the next save', () => {
    const path = join(tempFolder('kassa-status-'), 'settlement-status.json');
    const store = fileStatusStore(path);
    // Text that is not a status document: random text and JSON, and near misses of a real one.
    const spoiled = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      persisted.chain((status) => fc.nat(JSON.stringify(status).length - 1).map((cut) => JSON.stringify(status).slice(0, cut))),
      persisted.map((status) => JSON.stringify({ ...status, format: 'kassa-settlement-status/2' })),
      persisted.map((status) => JSON.stringify({ ...status, extra: true })),
      persisted.chain((status) => fc.constantFrom(...Object.keys(status)).map((key) => JSON.stringify({ ...status, [key]: undefined }))),
      persisted.map((status) => JSON.stringify({ ...status, lastSuccessAt: String(status.lastSuccessAt) })),
    );
    fc.assert(
      fc.property(spoiled, persisted, (text, next) => {
        writeFileSync(path, text);
        expect(store.load()).toBeUndefined();
        store.save(next);
        expect(store.load()).toEqual(next);
      }),
      { numRuns: 150 },
    );
  });
});
