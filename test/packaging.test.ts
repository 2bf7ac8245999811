// electron-builder.yml is a valid electron-builder configuration (checked by electron-builder's
// own schema validator) and keeps the security fuses as decided.
import { describe, expect, it } from 'vitest';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';

const ROOT = new URL('..', import.meta.url).pathname;

describe('electron-builder.yml', () => {
  it('passes electron-builder\'s schema validation', async () => {
    const config = await getConfig(ROOT, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('flips the fuses that close Node back doors and file:// privileges', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('rejects a configuration electron-builder does not know', async () => {
    const config = await getConfig(ROOT, null, null);
    await expect(validateConfiguration({ ...config, electronFuses: { runAsNode: 'no' } } as never, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });
});
