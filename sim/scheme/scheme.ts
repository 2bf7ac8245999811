/**
 * The scheme's signing authority for tests, demos and the reference backend: a root key that
 * signs trust lists, a wallet-issuer key that certifies reservations' wallet keys, and a
 * terminal-issuer key that certifies terminals (OIP/1 §2). Keys live in memory here; the
 * reference backend keeps them in its own database.
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
import { generateP256PrivateKey, nodeSigner } from '../../vse/crypto/node-es256.ts';

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

const DAY = 86_400;

export class Scheme {
  readonly root: Es256Signer;
  readonly walletIssuer: Es256Signer;
  readonly terminalIssuer: Es256Signer;
  private readonly options: SchemeOptions;

  constructor(keys: SchemePrivateKeys, options: SchemeOptions) {
    this.root = nodeSigner(keys.root);
    this.walletIssuer = nodeSigner(keys.walletIssuer);
    this.terminalIssuer = nodeSigner(keys.terminalIssuer);
    this.options = options;
  }

  /** A scheme with fresh keys whose issuer keys are valid for ten years from `now`. */
  static generate(now: number): Scheme {
    return new Scheme(
      { root: generateP256PrivateKey(), walletIssuer: generateP256PrivateKey(), terminalIssuer: generateP256PrivateKey() },
      { issuerKeysValid: { notBefore: now - DAY, notAfter: now + 3650 * DAY }, trustListLifetime: DAY },
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
  trustList(version: number, now: number, revoked: Uint8Array[] = []): Uint8Array {
    return signObject(
      SIGNED.trustList,
      { version, issuedAt: now, nextUpdate: now + this.options.trustListLifetime, keys: this.issuerKeys(), revoked },
      this.root,
    );
  }

  certifyTerminal(certificate: TerminalCertificate): Uint8Array {
    return signObject(SIGNED.terminalCertificate, certificate, this.terminalIssuer);
  }

  certifyWallet(certificate: WalletCertificate): Uint8Array {
    return signObject(SIGNED.walletCertificate, certificate, this.walletIssuer);
  }
}
