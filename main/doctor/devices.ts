/**
 * The counter's devices from the host configuration: each found and openable by this user
 * (serial ports, /dev/hidraw*, /dev/usb/lp*), and Kassa's udev rules installed so that a
 * device plugged in tomorrow is openable too. Ports are not opened (the running terminal may
 * hold them): permissions are what is checked.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UDEV_INSTALL } from '../../hardware/core/errors.ts';
import type { DeviceConfig } from '../../hardware/manager/config.ts';
import { discoverDevices } from '../../hardware/manager/discovery.ts';
import { findConfigured } from '../cli/commands/devices.ts';
import { fail, ok, skip, warn, type CheckResult } from './check.ts';

export const UDEV_RULES_FILE = '70-kassa-devices.rules';
export const UDEV_RULES_DIRS = ['/etc/udev/rules.d', '/usr/lib/udev/rules.d', '/lib/udev/rules.d'];

export async function devicesCheck(devices: readonly DeviceConfig[]): Promise<CheckResult> {
  if (devices.length === 0) return skip('devices', 'no devices configured (camera or keyboard-wedge scanners need none)');
  const attached = devices.some((d) => d.vendorId !== undefined) ? (await discoverDevices({ probe: false })).devices : [];
  const results = [];
  for (const device of devices) results.push(await findConfigured(device, attached, false));
  const broken = results.filter((r) => r.problem !== undefined);
  const details = { devices: results.map((r) => ({ id: r.id, driver: r.driver, path: r.path ?? null, problem: r.problem?.code ?? null })) };
  if (broken.length > 0) {
    return fail(
      'devices',
      broken.map((r) => `${r.id}: ${r.problem!.message}`).join('; '),
      [...new Set(broken.map((r) => r.problem!.hint ?? `check the device's path in config.json (host.devices, id ${r.id})`))].join('; '),
      details,
    );
  }
  return ok('devices', `${results.length} configured, each found and openable: ${results.map((r) => `${r.id} (${r.path ?? r.driver})`).join(', ')}`, details);
}

/** Kassa's udev rules: needed for USB devices that appear later; a warning while the devices open anyway. */
export function udevRulesCheck(devices: readonly DeviceConfig[], devicesResult: CheckResult, dirs: readonly string[] = UDEV_RULES_DIRS): CheckResult {
  if (devices.length === 0) return skip('udev-rules', 'no devices configured');
  const found = dirs.map((dir) => join(dir, UDEV_RULES_FILE)).find((path) => existsSync(path));
  if (found !== undefined) return ok('udev-rules', `installed: ${found}`);
  const summary = `Kassa's udev rules (${UDEV_RULES_FILE}) are not installed in ${dirs.join(', ')}`;
  return devicesResult.status === 'fail' ? fail('udev-rules', summary, UDEV_INSTALL) : warn('udev-rules', `${summary}; the devices open today anyway`, UDEV_INSTALL);
}
