/**
 * Who is asking, and may they: the headless host's rules for every HTTP request and WebSocket
 * upgrade, free of the HTTP framework so they read as a list.
 *
 * - The per-launch token (cookie or `Authorization: Bearer`) is the cashier, and only from
 *   this machine (a loopback address): the cashier screen runs here, customer displays do not.
 * - A paired display's token is the `display` role.
 * - A cash register's own token (`kassa_ecr_…`, Bearer only) is the `ecr` role, on the app
 *   WebSocket only; the `/ecr/` HTTP API authenticates registers itself.
 * - The Host header must name this host (127.0.0.1 or localhost, or with `--lan` one of this
 *   machine's addresses or its host name): a page on another name that resolves here (DNS
 *   rebinding) is refused even before it could guess anything.
 * - A WebSocket upgrade and any request that changes state must come from this host's own
 *   origin; a client that authenticates with a Bearer header is not a browser page and may
 *   send no Origin at all.
 */
import { hostname, networkInterfaces } from 'node:os';
import type { Role } from '../contract/app-api.ts';
import { ECR_TOKEN_PREFIX, ecrClientFor } from '../ecr/credentials.ts';
import type { EcrClient } from '../host/host-settings.ts';
import type { DisplayPairing } from './display-pairing.ts';
import { sameSecret } from './secrets.ts';

export type Identity = { role: Extract<Role, 'cashier'> } | { role: Extract<Role, 'display'>; display: number } | { role: Extract<Role, 'ecr'>; register: string };

/** Where the credential came from: the entry URL's `?token=`, a cookie, or an Authorization header. */
export type CredentialSource = 'query' | 'cookie' | 'bearer';

export interface AccessRules {
  token: string;
  lan: boolean;
  pairing: DisplayPairing | undefined;
  ecrClients: () => readonly EcrClient[];
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The pages a `?token=` may open: the cashier's screen and the customer display on this machine. */
export const ENTRY_PAGES: ReadonlySet<string> = new Set(['/', '/index.html', '/display.html']);

/** The credential a request presents, and where it came from. */
export function presentedCredential(input: { path: string; queryToken: unknown; authorization: string | undefined; cookie: string | undefined }): { secret: string; source: CredentialSource } | undefined {
  if (ENTRY_PAGES.has(input.path) && typeof input.queryToken === 'string') return { secret: input.queryToken, source: 'query' };
  const bearer = /^Bearer ([\x21-\x7e]{1,512})$/.exec(input.authorization ?? '');
  if (bearer !== null) return { secret: bearer[1]!, source: 'bearer' };
  if (input.cookie !== undefined && input.cookie !== '') return { secret: input.cookie, source: 'cookie' };
  return undefined;
}

/** The identity `secret` proves, or undefined. */
export function identify(rules: AccessRules, secret: string, source: CredentialSource, remoteAddress: string | undefined): Identity | undefined {
  if (source === 'bearer' && secret.startsWith(ECR_TOKEN_PREFIX)) {
    const register = ecrClientFor(secret, rules.ecrClients());
    return register === undefined ? undefined : { role: 'ecr', register: register.name };
  }
  if (sameSecret(secret, rules.token)) return isLoopback(remoteAddress) ? { role: 'cashier' } : undefined;
  const display = rules.pairing?.displayFor(secret);
  return display === undefined ? undefined : { role: 'display', display: display.id };
}

/**
 * The Host header values this host answers to. With `--lan` the machine's addresses are read
 * again when an unknown one arrives (at most once a second), so a new DHCP lease still works.
 */
export class HostNames {
  private readonly lan: boolean;
  private port = 0;
  private names = new Set<string>();
  private readAt = 0;

  constructor(lan: boolean) {
    this.lan = lan;
  }

  /** Set once the server listens (with `--port 0` the port is known only then). */
  listening(port: number): void {
    this.port = port;
    this.read();
  }

  private read(): void {
    this.readAt = Date.now();
    const names = new Set([`127.0.0.1:${this.port}`, `localhost:${this.port}`]);
    if (this.lan) {
      for (const address of lanAddresses()) names.add(`${address}:${this.port}`);
      const name = hostname().toLowerCase();
      names.add(`${name}:${this.port}`);
      if (!name.includes('.')) names.add(`${name}.local:${this.port}`);
    }
    this.names = names;
  }

  allowed(host: string | undefined): boolean {
    if (host === undefined) return false;
    const name = host.toLowerCase();
    if (this.names.has(name)) return true;
    if (!this.lan || Date.now() - this.readAt < 1000) return false;
    this.read();
    return this.names.has(name);
  }

  /** The origin a page served under `host` has. */
  static originOf(host: string): string {
    return `http://${host.toLowerCase()}`;
  }
}

/** This machine's IPv4 addresses on its networks (what a display on the LAN types). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((info) => info !== undefined && info.family === 'IPv4' && !info.internal)
    .map((info) => info!.address);
}
