/**
 * The VSE's one channel to its host. Under `child_process.fork` that is process.send and
 * process.on('message'); under Electron's `utilityProcess` it is process.parentPort. The rest
 * of the VSE sees only this interface and cannot tell the two apart.
 */
export interface VsePort {
  send(message: unknown, sent?: () => void): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the host is gone (fork's IPC channel closed); Electron kills the process instead. */
  onHostGone(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function processPort(): VsePort {
  const parentPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort !== undefined) {
    return {
      send: (message, sent) => {
        parentPort.postMessage(message);
        sent?.();
      },
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
      onHostGone: () => {},
    };
  }
  if (process.send !== undefined) {
    return {
      send: (message, sent) => {
        // A host that went away mid-answer is not the VSE's failure: the callback swallows it.
        process.send!(message, undefined, undefined, () => sent?.());
      },
      onMessage: (listener) => process.on('message', listener),
      onHostGone: (listener) => process.on('disconnect', listener),
    };
  }
  throw new Error('the VSE needs a message port: start it with child_process.fork or Electron utilityProcess');
}
