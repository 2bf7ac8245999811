/**
 * USB vendor and product ids of counter hardware, to tell a newcomer what is plugged in.
 * The same ids are in build/udev/70-kassa-devices.rules (a test keeps the two in step).
 */

export interface KnownDevice {
  vendorId: string;
  /** Absent: every product of the vendor. */
  productId?: string;
  name: string;
  /** What Kassa would use it as. */
  use: 'scanner' | 'usb-serial' | 'printer' | 'pcsc-reader';
}

export const KNOWN_DEVICES: readonly KnownDevice[] = [
  { vendorId: '0c2e', name: 'Honeywell (Metrologic) scanner', use: 'scanner' },
  { vendorId: '05e0', name: 'Zebra (Symbol) scanner', use: 'scanner' },
  { vendorId: '05f9', name: 'Datalogic scanner', use: 'scanner' },
  { vendorId: '1eab', name: 'Newland scanner', use: 'scanner' },
  { vendorId: '1a86', productId: '7523', name: 'CH340 USB-serial adapter (PN532 boards often use one)', use: 'usb-serial' },
  { vendorId: '10c4', productId: 'ea60', name: 'Silicon Labs CP210x USB-serial adapter', use: 'usb-serial' },
  { vendorId: '0403', productId: '6001', name: 'FTDI FT232R USB-serial adapter', use: 'usb-serial' },
  { vendorId: '067b', productId: '2303', name: 'Prolific PL2303 USB-serial adapter', use: 'usb-serial' },
  { vendorId: '04b8', name: 'Epson receipt printer', use: 'printer' },
  { vendorId: '0519', name: 'Star Micronics receipt printer', use: 'printer' },
  { vendorId: '072f', productId: '2200', name: 'ACS ACR122U (a PN532 behind PC/SC: not driven by Kassa yet)', use: 'pcsc-reader' },
];

export function knownDevice(vendorId: string | undefined, productId: string | undefined): KnownDevice | undefined {
  if (vendorId === undefined) return undefined;
  const vendor = vendorId.toLowerCase();
  const product = productId?.toLowerCase();
  return KNOWN_DEVICES.find((d) => d.vendorId === vendor && d.productId === product) ?? KNOWN_DEVICES.find((d) => d.vendorId === vendor && d.productId === undefined);
}
