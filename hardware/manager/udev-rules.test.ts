/**
 * The udev rules Kassa ships: every line is a well-formed rule, ids are lower-case hex (udev
 * compares strings), and every device `kassa devices` recognises has a rule (and back).
 * (`udevadm verify` would check syntax, but this machine's udev 252 predates it.)
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { UDEV_RULES } from '../core/errors.ts';
import { KNOWN_DEVICES } from './known-devices.ts';

const rules = await readFile(new URL(`../../${UDEV_RULES}`, import.meta.url), 'utf8');
const lines = rules.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
const pairs = (line: string) => line.split(/,\s*/).map((p) => p.match(/^([A-Z_]+(?:\{[A-Za-z_]+\})?)(==|=|\+=|:=)"([^"]*)"$/));

describe(`${UDEV_RULES}`, () => {
  it('holds only well-formed rules that match by vendor id and grant access', () => {
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const parsed = pairs(line);
      expect(parsed.every((p) => p !== null), line).toBe(true);
      const keys = parsed.map((p) => `${p![1]}${p![2]}`);
      expect(keys, line).toContain('ATTRS{idVendor}==');
      expect(keys.some((k) => k === 'MODE=' || k === 'TAG+='), line).toBe(true);
      for (const p of parsed) if (p![1]!.startsWith('ATTRS{id')) expect(p![3], line).toMatch(/^[0-9a-f]{4}$/);
    }
  });

  it('covers every known device, and knows every device it covers', () => {
    const covered = new Set(lines.map((line) => `${line.match(/idVendor}=="(\w+)"/)![1]}:${line.match(/idProduct}=="(\w+)"/)?.[1] ?? '*'}`));
    const known = new Set(KNOWN_DEVICES.map((d) => `${d.vendorId}:${d.productId ?? '*'}`));
    expect([...covered].sort()).toEqual([...known].sort());
  });
});
