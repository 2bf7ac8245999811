/**
 * Which device is which at this counter: the `devices` section of Kassa's configuration,
 * validated with zod so that a mistake gets a clear message naming the entry and field.
 */
import * as z from 'zod';

const hexId = z.string().regex(/^[0-9a-fA-F]{4}$/, 'a 4-digit hex USB id such as 0c2e').transform((s) => s.toLowerCase());

const match = {
  /** A fixed path: /dev/ttyACM0, a /dev/serial/by-id/… link, /dev/hidraw3, /dev/usb/lp0. */
  path: z.string().min(1).optional(),
  vendorId: hexId.optional(),
  productId: hexId.optional(),
  serialNumber: z.string().min(1).optional(),
};

const common = { id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes'), ...match };

export const deviceConfig = z
  .discriminatedUnion('driver', [
    z.object({ ...common, driver: z.literal('serial-scanner'), baudRate: z.number().int().positive().optional(), suffix: z.enum(['CR', 'LF', 'CRLF', 'none']).optional(), interByteTimeoutMs: z.number().int().positive().optional() }).strict(),
    z.object({ ...common, driver: z.literal('ssi-scanner'), baudRate: z.number().int().positive().optional() }).strict(),
    z.object({ ...common, driver: z.literal('hid-pos-scanner') }).strict(),
    z.object({ ...common, driver: z.literal('pn532'), baudRate: z.number().int().positive().optional() }).strict(),
    z.object({ ...common, driver: z.literal('escpos-serial'), baudRate: z.number().int().positive().optional(), rtscts: z.boolean().optional() }).strict(),
    z.object({ ...common, driver: z.literal('escpos-usblp') }).strict(),
  ])
  .refine((d) => d.path !== undefined || d.vendorId !== undefined, { message: 'give a path, or a vendorId (and productId) to find the device by' })
  .refine((d) => d.driver !== 'escpos-usblp' || d.path !== undefined, { message: 'an escpos-usblp printer needs its path (/dev/usb/lpN)' });

export const devicesConfig = z
  .object({ devices: z.array(deviceConfig) })
  .strict()
  .refine((c) => new Set(c.devices.map((d) => d.id)).size === c.devices.length, { message: 'device ids must be unique' });

export type DeviceConfig = z.output<typeof deviceConfig>;
export type DevicesConfig = z.output<typeof devicesConfig>;
export type DriverName = DeviceConfig['driver'];

export type ConfigResult = { ok: true; config: DevicesConfig } | { ok: false; problems: string[] };

export function parseDevicesConfig(input: unknown): ConfigResult {
  const parsed = devicesConfig.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'config'}: ${issue.message}`) };
}
