/**
 * What can keep the terminal host from starting, as typed values with a message an operator
 * can act on (the command line prints the message; the Electron shell will show it).
 */
import { CodedError } from '../../base/common/coded-error.ts';

export type TerminalSetupErrorCode =
  | 'NOT_CONFIGURED' // no config file yet: `kassa enroll` writes one
  | 'CONFIG_INVALID' // the config file is not JSON or fails its schema
  | 'CONFIG_CONFLICT' // a change the config cannot take (another root key, another backend while enrolled)
  | 'KEY_INVALID' // the database key (file or environment) is not 32 bytes of hex
  | 'KEY_FILE_INSECURE' // the key file can be read by others, or belongs to another user
  | 'KEY_MISSING' // a database exists but its key is gone; a new key would not open it
  | 'DATA_FOLDER_IN_USE' // another kassa process holds the data folder
  | 'DATA_FOLDER_UNUSABLE' // the folder cannot be created or written
  | 'DISK_FULL' // too little free space in the data folder to store anything
  | 'BACKUP_FAILED' // a backup could not be written (destination not empty, key not in a file)
  | 'BACKUP_INVALID' // a backup folder is incomplete, changed, or its database does not open whole
  | 'RESTORE_REFUSED'; // the target folder already holds a terminal database

export class TerminalSetupError extends CodedError<TerminalSetupErrorCode> {
  override readonly name = 'TerminalSetupError';
}
