/** Node and Electron: the versions this build of Kassa needs. */
import { fail, ok, type CheckResult } from './check.ts';

/** package.json "engines": Node 24 runs the .ts sources (type stripping) and the permission model. */
export const MIN_NODE_MAJOR = 24;

export function runtimeCheck(versions: { node: string; electron?: string }): CheckResult {
  const major = Number(versions.node.split('.')[0]);
  const details = { node: versions.node, electron: versions.electron ?? null };
  if (!(major >= MIN_NODE_MAJOR)) {
    return fail('runtime', `Node ${versions.node} is older than Node ${MIN_NODE_MAJOR}`, `install Node ${MIN_NODE_MAJOR} or newer (or run the packaged app, which brings its own)`, details);
  }
  return ok('runtime', `Node ${versions.node}${versions.electron === undefined ? ' (headless, no Electron)' : `, Electron ${versions.electron}`}`, details);
}
