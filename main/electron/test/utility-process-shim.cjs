// Stands in for Electron's utility-process bootstrap under plain Node (tests only): the module
// named first on the command line runs with a process.parentPort shaped like Electron's,
// carried over the fork IPC channel (structured clone, as Electron's port is).
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS shim loading a CommonJS bundle */
const entry = process.argv[2];
process.argv.splice(2, 1);
process.parentPort = {
  postMessage: (message) => {
    if (process.connected) process.send(message, undefined, undefined, () => {});
  },
  on: (event, listener) => {
    if (event === 'message') process.on('message', (data) => listener({ data }));
  },
};
// Electron ends a utility process whose parent has gone; a forked one would linger without this.
process.on('disconnect', () => process.exit(0));
require(entry);
