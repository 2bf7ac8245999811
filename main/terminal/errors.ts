/**
 * What can keep the terminal host from starting, as typed values with a message an operator
 * can act on (the command line prints the message; the Electron shell will show it).
 */
export type TerminalSetupErrorCode =
  | 'NOT_CONFIGURED' // no config file yet: `kassa enroll` writes one
  | 'CONFIG_INVALID' // the config file is not JSON or fails its schema
  | 'CONFIG_CONFLICT' // a change the config cannot take (another root key, another backend while enrolled)
  | 'KEY_INVALID' // the database key (file or environment) is not 32 bytes of hex
  | 'KEY_FILE_INSECURE' // the key file can be read by others, or belongs to another user
  | 'KEY_MISSING' // a database exists but its key is gone; a new key would not open it
  | 'DATA_FOLDER_IN_USE' // another kassa process holds the data folder
  | 'DATA_FOLDER_UNUSABLE'; // the folder cannot be created or written

export class TerminalSetupError extends Error {
  readonly code: TerminalSetupErrorCode;
  constructor(code: TerminalSetupErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalSetupError';
    this.code = code;
  }
}
