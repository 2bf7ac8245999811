/**
 * A process that competes for a lock file, driven by its parent over IPC
 * (base/node/lock-file.test.ts): it takes the lock when told, reports what happened, and holds
 * the lock until told to release it. `take-at-barrier` first blocks opening a FIFO for reading,
 * so every contender starts its attempt the moment the parent opens the FIFO: one barrier for
 * all of them, with no clock involved.
 */
import { closeSync, openSync } from 'node:fs';
import { lockFile, LockFileError, type FileLock } from '../lock-file.ts';

export type ContenderCommand =
  | { kind: 'take'; path: string }
  | { kind: 'take-at-barrier'; path: string; barrier: string }
  | { kind: 'release' };

export type ContenderReport =
  | { kind: 'ready'; pid: number }
  | { kind: 'armed' }
  | { kind: 'took'; pid: number }
  | { kind: 'refused'; pid: number; code: string; holder: number | undefined; message: string }
  | { kind: 'released' };

const send = (report: ContenderReport, then: () => void = () => {}): void => void process.send!(report, then);

let held: FileLock | undefined;

function attempt(path: string): ContenderReport {
  try {
    held = lockFile(path);
    return { kind: 'took', pid: process.pid };
  } catch (error) {
    if (!(error instanceof LockFileError)) throw error;
    return { kind: 'refused', pid: process.pid, code: error.code, holder: error.holder, message: error.message };
  }
}

process.on('message', (command: ContenderCommand) => {
  switch (command.kind) {
    case 'take':
      send(attempt(command.path));
      return;
    case 'take-at-barrier':
      // Only once 'armed' is on its way may this process block (the parent waits for it).
      send({ kind: 'armed' }, () => {
        const fd = openSync(command.barrier, 'r'); // returns when the parent opens the FIFO
        const report = attempt(command.path);
        closeSync(fd);
        send(report);
      });
      return;
    case 'release':
      held?.release();
      held = undefined;
      send({ kind: 'released' });
      return;
  }
});
// Ends with its parent: the IPC channel closing is the signal.
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready', pid: process.pid });
