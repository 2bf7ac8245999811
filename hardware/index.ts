/**
 * Kassa's counter-hardware drivers (docs/hardware.md): what the host imports. Codecs stay
 * importable from their own modules for tests and emulators.
 */
export * from './core/errors.ts';
export type { EventSource } from '../base/common/emitter.ts';
export * from './core/status.ts';
export type { Scan, Scanner, ScannerEvents, ScanSource } from './scanner/scanner.ts';
export { SerialScanner, type SerialScannerOptions } from './scanner/serial-scanner.ts';
export { SsiScanner, type SsiScannerOptions } from './ssi/ssi-scanner.ts';
export { HidPosScanner, type HidPosScannerOptions } from './hid/hid-pos-scanner.ts';
export { Pn532Reader, WalletRefusal, type NfcPayment, type NfcReader, type NfcReaderEvents, type NfcVia } from './nfc/nfc-reader.ts';
export { SerialPrinter, UsbLpPrinter, type PaperStatus, type Printer, type PrinterEvents } from './printer/printer.ts';
export { EscPos } from './printer/escpos.ts';
export { receiptDocument, type ReceiptContent } from './printer/receipt-layout.ts';
export { parseDevicesConfig, type DeviceConfig, type DevicesConfig } from './manager/config.ts';
export { DeviceManager, type DeviceManagerEvents, type DeviceRole, type ManagedStatus } from './manager/device-manager.ts';
export { discoverDevices, type AttachedDevice, type Discovery } from './manager/discovery.ts';
