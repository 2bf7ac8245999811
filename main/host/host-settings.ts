/**
 * The host's own settings: the `host` section of the terminal's config.json. What a till is
 * called, its language and currency, receipts, how long a request may be paid, the counter's
 * devices, the LAN options for customer displays, the cash registers (ECR) allowed in, and
 * the manager PIN — each checked with the same discipline as the rest of the file: a bad
 * value is one message naming the field and what is allowed.
 */
import * as z from 'zod';
import { deviceConfig } from '../../hardware/manager/config.ts';
import { hostSettings, LANGUAGES } from '../contract/schemas.ts';

/** A secret stored as scrypt(secret, salt): the PIN, which has few digits, needs the slow KDF. */
export const scryptHash = z.strictObject({
  algorithm: z.literal('scrypt'),
  /** CPU/memory cost, block size, parallelism (RFC 7914). */
  N: z.int().min(1024),
  r: z.int().min(1),
  p: z.int().min(1),
  salt: z.string().regex(/^[0-9a-f]{32,}$/, 'hex, at least 16 bytes'),
  hash: z.string().regex(/^[0-9a-f]{64}$/, '32 bytes of hex'),
});
export type ScryptHash = z.output<typeof scryptHash>;

/** A cash register's credential: only its SHA-256 is kept (the token itself is 32 random bytes). */
export const ecrClient = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'letters, digits, dot, dash and underscore, up to 32'),
  tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, '32 bytes of hex'),
  createdAt: z.int().min(0),
  /** Set when the credential was revoked; a revoked register is refused. */
  revokedAt: z.int().min(0).nullable(),
});
export type EcrClient = z.output<typeof ecrClient>;

export const HOST_DEFAULTS = {
  till: 'Till 1',
  language: 'en',
  currency: 'SEK',
  autoPrint: false,
  requestTtlSeconds: 120,
} as const satisfies z.input<typeof hostSettings>;

export const hostSection = z.strictObject({
  till: hostSettings.shape.till.default(HOST_DEFAULTS.till),
  language: z.enum(LANGUAGES).default(HOST_DEFAULTS.language),
  currency: hostSettings.shape.currency.default(HOST_DEFAULTS.currency),
  autoPrint: z.boolean().default(HOST_DEFAULTS.autoPrint),
  requestTtlSeconds: hostSettings.shape.requestTtlSeconds.default(HOST_DEFAULTS.requestTtlSeconds),
  /** The counter's scanners, NFC readers and printers (docs/hardware.md). */
  devices: z
    .array(deviceConfig)
    .refine((devices) => new Set(devices.map((d) => d.id)).size === devices.length, { message: 'device ids must be unique' })
    .default([]),
  /** `kassa serve --lan` by default, and the port to listen on. */
  lan: z.strictObject({ enabled: z.boolean().default(false), port: z.int().min(0).max(65535).optional() }).default({ enabled: false }),
  ecr: z.strictObject({ clients: z.array(ecrClient).default([]) }).default({ clients: [] }),
  /**
   * The Prometheus endpoint (`/metrics` on `kassa serve`): a fleet's scraper presents this
   * token (`Authorization: Bearer …`); only its SHA-256 is kept. Without it only the per-launch
   * token opens /metrics, from this machine.
   */
  metrics: z.strictObject({ tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, '32 bytes of hex: the SHA-256 of the token') }).optional(),
  /** The manager PIN that unlocks enrollment and settings. */
  pin: scryptHash.optional(),
});
export type HostSection = z.output<typeof hostSection>;

export function defaultHostSection(): HostSection {
  return hostSection.parse({});
}
