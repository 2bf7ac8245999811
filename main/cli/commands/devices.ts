/**
 * `kassa devices`: what counter hardware is attached, whether Kassa can open it (permissions
 * and ports held by other programs included), and what to do when it cannot. Works without
 * udevadm (serial ports then come from sysfs, and it says so).
 */
import { readFile } from 'node:fs/promises';
import { checkAccess } from '../../../hardware/core/access.ts';
import type { DeviceError } from '../../../hardware/core/errors.ts';
import { parseDevicesConfig, type DeviceConfig } from '../../../hardware/manager/config.ts';
import { checkSerialPort, discoverDevices, pathExists, type AttachedDevice } from '../../../hardware/manager/discovery.ts';
import { EXIT, parseOptions, toJson, UsageError, type CliIo, type Command } from '../command.ts';

interface CheckedPath {
  path: string;
  exists: boolean;
  problem?: DeviceError;
}

interface ConfiguredDevice {
  id: string;
  driver: string;
  /** Where it was found, if it was. */
  path?: string;
  problem?: DeviceError;
}

export const devicesCommand: Command = {
  usage: `kassa devices [--path P]... [--config FILE] [--no-probe] [--json]

  --path P     also check this device path (a /dev/serial/by-id link, a socat pty); repeatable
  --config F   a JSON file with a "devices" list: report each configured device as found or not
  --no-probe   do not try opening serial ports (permissions are still checked)
  --json       print one JSON object instead of text

Exit code 0 when everything listed can be opened, 1 when something cannot.`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, {
      path: { type: 'string', multiple: true },
      config: { type: 'string' },
      'no-probe': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const probe = !values['no-probe'];
    const discovery = await discoverDevices({ probe });
    const paths: CheckedPath[] = [];
    for (const path of values.path ?? []) paths.push(await checkPath(path, probe));
    const configured = values.config === undefined ? [] : await checkConfigured(values.config, discovery.devices, probe);
    const problems = [...discovery.devices, ...paths, ...configured].filter((d) => d.problem !== undefined).length;
    if (values.json) io.stdout(`${toJson({ devices: discovery.devices, paths, configured, notes: discovery.notes }, 2)}\n`);
    else report(io, discovery.devices, paths, configured, discovery.notes);
    return problems > 0 ? EXIT.rejected : EXIT.ok;
  },
};

async function checkPath(path: string, probe: boolean): Promise<CheckedPath> {
  if (!(await pathExists(path))) return { path, exists: false, problem: { code: 'NOT_FOUND', message: `${path} does not exist`, device: path } };
  const serial = !/\/(hidraw\d+|usb\/lp\d+)$/.test(path);
  const problem = serial ? await checkSerialPort(path, probe) : await checkAccess(path);
  return problem ? { path, exists: true, problem } : { path, exists: true };
}

async function checkConfigured(file: string, attached: AttachedDevice[], probe: boolean): Promise<ConfiguredDevice[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = parseDevicesConfig(json);
  if (!parsed.ok) throw new UsageError(`${file} is not a valid devices configuration:\n  ${parsed.problems.join('\n  ')}`);
  const results: ConfiguredDevice[] = [];
  for (const entry of parsed.config.devices) results.push(await findConfigured(entry, attached, probe));
  return results;
}

export async function findConfigured(entry: DeviceConfig, attached: AttachedDevice[], probe: boolean): Promise<ConfiguredDevice> {
  const base = { id: entry.id, driver: entry.driver };
  if (entry.vendorId === undefined) {
    const checked = await checkPath(entry.path!, probe);
    return checked.problem ? { ...base, path: entry.path!, problem: checked.problem } : { ...base, path: entry.path! };
  }
  const wantsHid = entry.driver === 'hid-pos-scanner';
  const found = attached.find(
    (d) =>
      d.kind === (wantsHid ? 'hid' : 'serial') &&
      'vendorId' in d &&
      d.vendorId === entry.vendorId &&
      (entry.productId === undefined || d.productId === entry.productId) &&
      (!wantsHid || (d.kind === 'hid' && d.role === 'pos-scanner')),
  );
  if (!found) {
    const ids = `${entry.vendorId}:${entry.productId ?? '*'}`;
    const asKeyboard = wantsHid && attached.some((d) => d.kind === 'hid' && d.vendorId === entry.vendorId && d.role === 'keyboard');
    return {
      ...base,
      problem: asKeyboard
        ? { code: 'UNSUPPORTED', message: `${ids} is attached as a keyboard only`, hint: 'switch the scanner to HID POS mode (or USB serial mode) with its programming codes' }
        : { code: 'NOT_FOUND', message: `no device ${ids} is attached`, hint: 'plug it in; the list above shows the ids of what is attached' },
    };
  }
  return found.problem ? { ...base, path: found.path, problem: found.problem } : { ...base, path: found.path };
}

function report(io: CliIo, devices: AttachedDevice[], paths: CheckedPath[], configured: ConfiguredDevice[], notes: string[]): void {
  const section = (title: string, items: { head: string; problem?: DeviceError | undefined }[]) => {
    io.stdout(`${title}:\n`);
    if (items.length === 0) io.stdout('  (none)\n');
    for (const item of items) {
      io.stdout(`  ${item.head}\n`);
      io.stdout(`      ${item.problem ? `${item.problem.code}: ${item.problem.message}` : 'ok: Kassa can open it'}\n`);
      if (item.problem?.hint) io.stdout(`      fix: ${item.problem.hint}\n`);
    }
  };
  const ids = (d: { vendorId?: string; productId?: string }) => (d.vendorId ? `${d.vendorId}:${d.productId ?? '????'}` : '         ');
  section('Serial ports', devices.flatMap((d) => (d.kind === 'serial' ? [{ head: `${d.path.padEnd(14)} ${ids(d)}  ${d.guess ?? ''}`, problem: d.problem }] : [])));
  section(
    'HID interfaces',
    devices.flatMap((d) =>
      d.kind === 'hid' ? [{ head: `${d.path.padEnd(14)} ${ids(d)}  usage ${hex(d.usagePage)}/${hex(d.usage)}  ${d.guess ?? ''}`, problem: d.problem }] : [],
    ),
  );
  section('USB printers', devices.flatMap((d) => (d.kind === 'printer' ? [{ head: `${d.path.padEnd(14)} ${d.guess ?? ''}`, problem: d.problem }] : [])));
  if (paths.length > 0) section('Paths asked for', paths.map((p) => ({ head: p.path, problem: p.problem })));
  if (configured.length > 0) section('Configured devices', configured.map((c) => ({ head: `${c.id} (${c.driver})${c.path ? ` at ${c.path}` : ''}`, problem: c.problem })));
  if (notes.length > 0) {
    io.stdout('Notes:\n');
    for (const note of notes) io.stdout(`  - ${note}\n`);
  }
  if (devices.length === 0 && paths.length === 0) {
    io.stdout('\nNothing attached was recognised. Plug in the scanner, reader or printer and run `kassa devices` again; see docs/hardware.md.\n');
  }
}

function hex(value: number | undefined): string {
  return value === undefined ? '?' : `0x${value.toString(16)}`;
}
