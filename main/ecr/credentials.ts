/**
 * Cash-register (ECR) credentials: one long-lived bearer token per register, made by
 * `kassa ecr add NAME`, shown once, kept only as its SHA-256 (a 32-byte random token needs no
 * slow KDF: it cannot be guessed), revocable with `kassa ecr revoke NAME`. A register's token
 * gives it the `ecr` role and nothing else.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EcrClient } from '../host/host-settings.ts';

/** Tokens carry a prefix so a leaked one is recognisable (and greppable) for what it is. */
export const ECR_TOKEN_PREFIX = 'kassa_ecr_';

export function newEcrToken(): string {
  return `${ECR_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The register this token belongs to, if it is one of `clients` and not revoked. */
export function ecrClientFor(token: string, clients: readonly EcrClient[]): EcrClient | undefined {
  const presented = Buffer.from(tokenSha256(token), 'hex');
  let found: EcrClient | undefined;
  // Compare with every client, in constant time each, so timing says nothing about which matched.
  for (const client of clients) {
    if (timingSafeEqual(presented, Buffer.from(client.tokenSha256, 'hex')) && client.revokedAt === null) found = client;
  }
  return found;
}
