/**
 * Can this process open a device node, and if not, what should the operator do? Shared by
 * the serial, HID and printer transports and by `kassa devices`.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { deviceError, UDEV_INSTALL, type DeviceError } from './errors.ts';

/** A PERMISSION_DENIED error naming the file's group and how to get access. */
export async function permissionDenied(path: string): Promise<DeviceError> {
  return deviceError('PERMISSION_DENIED', `this user may not open ${path}`, { device: path, hint: await accessHint(path) });
}

async function accessHint(path: string): Promise<string> {
  let group = '';
  try {
    const info = await stat(path);
    group = String(info.gid);
    const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.split(':')[2] === String(info.gid));
    if (line) group = line.split(':')[0]!;
  } catch {
    // the hint works without the group name
  }
  const groupAdvice = group && group !== '0' && group !== 'root' ? `add the user to group '${group}' (sudo usermod -aG ${group} $USER, then log in again), or ` : '';
  return `${groupAdvice}install Kassa's udev rules: ${UDEV_INSTALL}`;
}

/** Whether this process may read and write `path`: undefined if so, else the typed reason. */
export async function checkAccess(path: string): Promise<DeviceError | undefined> {
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return deviceError('NOT_FOUND', `${path} does not exist`, { device: path });
    if (code === 'EACCES' || code === 'EPERM') return permissionDenied(path);
    return deviceError('OPEN_FAILED', `cannot access ${path}: ${(error as Error).message}`, { device: path });
  }
}
