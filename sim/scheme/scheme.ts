/**
 * The scheme's signing authority for tests, demos and the reference backend: a root key that
 * signs trust lists, a wallet-issuer key that certifies reservations' wallet keys, and a
 * terminal-issuer key that certifies terminals (OIP/1 §2). Keys live in memory here;
 * `toStored`/`fromStored` turn them into PKCS#8 bytes and back, which is how the reference
 * backend keeps them in its own database.
 */
import type { KeyObject } from 'node:crypto';
import {
  KEY_ROLE,
  keyId,
  signObject,
  SIGNED,
  type Es256Signer,
  type TerminalCertificate,
  type TrustListKey,
  type WalletCertificate,
} from '../../protocol/index.ts';
import { exportPrivateKey, generateP256PrivateKey, importPrivateKey, nodeSigner } from '../../base/node/node-es256.ts';

export interface SchemePrivateKeys {
  root: KeyObject;
  walletIssuer: KeyObject;
  terminalIssuer: KeyObject;
}

export interface SchemeOptions {
  /** From when to when the issuer keys are valid (Unix seconds). */
  issuerKeysValid: { notBefore: number; notAfter: number };
  /** Seconds between a trust list's issued_at and its next_update. */
  trustListLifetime: number;
}

/** A scheme's keys (PKCS#8 DER) and options, as plain data for storage. */
export interface StoredScheme {
  root: Uint8Array;
  walletIssuer: Uint8Array;
  terminalIssuer: Uint8Array;
  options: SchemeOptions;
}

const DAY = 86_400;

export class Scheme {
  readonly root: Es256Signer;
  readonly walletIssuer: Es256Signer;
  readonly terminalIssuer: Es256Signer;
  readonly options: SchemeOptions;
  private readonly keys: SchemePrivateKeys;

  constructor(keys: SchemePrivateKeys, options: SchemeOptions) {
    this.root = nodeSigner(keys.root);
    this.walletIssuer = nodeSigner(keys.walletIssuer);
    this.terminalIssuer = nodeSigner(keys.terminalIssuer);
    this.options = options;
    this.keys = keys;
  }

  /** The private keys as PKCS#8 bytes with the options: what `fromStored` takes back. */
  toStored(): StoredScheme {
    return {
      root: exportPrivateKey(this.keys.root),
      walletIssuer: exportPrivateKey(this.keys.walletIssuer),
      terminalIssuer: exportPrivateKey(this.keys.terminalIssuer),
      options: structuredClone(this.options),
    };
  }

  static fromStored(stored: StoredScheme): Scheme {
    return new Scheme(
      { root: importPrivateKey(stored.root), walletIssuer: importPrivateKey(stored.walletIssuer), terminalIssuer: importPrivateKey(stored.terminalIssuer) },
      stored.options,
    );
  }

  /** A scheme with fresh keys whose issuer keys are valid for ten years from `now` (unless `options` say otherwise). */
  static generate(now: number, options: Partial<SchemeOptions> = {}): Scheme {
    return new Scheme(
      { root: generateP256PrivateKey(), walletIssuer: generateP256PrivateKey(), terminalIssuer: generateP256PrivateKey() },
      { issuerKeysValid: { notBefore: now - DAY, notAfter: now + 3650 * DAY }, trustListLifetime: DAY, ...options },
    );
  }

  /** The keys a trust list names: the two issuers with their roles. */
  issuerKeys(): TrustListKey[] {
    const { notBefore, notAfter } = this.options.issuerKeysValid;
    return [
      { kid: keyId(this.walletIssuer.publicKey), publicKey: this.walletIssuer.publicKey, role: KEY_ROLE.walletIssuer, notBefore, notAfter },
      { kid: keyId(this.terminalIssuer.publicKey), publicKey: this.terminalIssuer.publicKey, role: KEY_ROLE.terminalIssuer, notBefore, notAfter },
    ];
  }

  /** A signed trust list (COSE bytes). */
  trustList(version: number, now: number, revoked: Uint8Array[] = [], nextUpdate = now + this.options.trustListLifetime): Uint8Array {
    return signObject(SIGNED.trustList, { version, issuedAt: now, nextUpdate, keys: this.issuerKeys(), revoked }, this.root);
  }

  certifyTerminal(certificate: TerminalCertificate): Uint8Array {
    return signObject(SIGNED.terminalCertificate, certificate, this.terminalIssuer);
  }

  certifyWallet(certificate: WalletCertificate): Uint8Array {
    return signObject(SIGNED.walletCertificate, certificate, this.walletIssuer);
  }
}
