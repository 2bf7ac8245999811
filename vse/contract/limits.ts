/**
 * Limits of the VSE's contract that callers apply before they talk to it, in a module of their
 * own so a caller can know them without loading the contract's schemas (the command line's
 * start-up, say).
 */

/**
 * The longest text `accept` takes, in UTF-16 code units (as JavaScript and zod count): far
 * above any real KP1: text (OIP/1 keeps one inside a version 13 QR code), and the bound
 * callers apply before they read or send more. The `kassa` commands that take a text refuse
 * a longer one as MALFORMED without reading the rest of it.
 */
export const MAX_PAYMENT_TEXT_LENGTH = 4096;
