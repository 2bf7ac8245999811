/**
 * Kassa's one QR encoder and its browser-safe renderers (SVG, terminal text). The PNG writer
 * is Node-only and lives in base/node/qr-png.ts. Not re-exported by protocol/index.ts: code
 * that verifies payments need not load the encoder.
 */
export { encodeQr, QR_ERROR_CORRECTION, QR_QUIET_ZONE, QrTextError, type QrCode, type QrModules } from './qr.ts';
export { alphanumericCapacity, dataBitsFor, dataCapacityBits, fitsVersion, qrModeOf, smallestVersion, type ErrorCorrection, type QrMode } from './capacity.ts';
export { qrSvg, qrSvgPath } from './svg.ts';
export { qrTerminalText } from './terminal.ts';
