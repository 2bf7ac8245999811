/**
 * `kassa enroll`: make this terminal a member of a scheme. The VSE makes its key, the backend
 * certifies it with a one-time token, the trust list and the certificate are installed, and
 * the configuration (backend, root key) is written to the data folder.
 */
import { toHex } from '../../../protocol/index.ts';
import { enroll } from '../../terminal/enrollment.ts';
import { EXIT, parseOptions, rootKeysOption, UsageError, type Command } from '../command.ts';
import { reportFailure, TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE } from '../terminal-context.ts';

export const enrollCommand: Command = {
  usage: `kassa enroll --backend URL --token TOKEN [--root-key HEX] [--terminal-id ID] [--data DIR] [--key-file FILE]

  --backend URL     the scheme's backend, e.g. http://127.0.0.1:8750
  --token TOKEN     the one-time enrollment token from the backend's operator
                    (kassa backend token --db FILE --merchant-id … --merchant-name …);
                    write --token=TOKEN when the token starts with a dash
  --root-key HEX    the scheme root public key that signs trust lists (repeatable); required the
                    first time, then kept in DIR/config.json. Never taken from the backend itself.
  --terminal-id ID  this terminal's id in the scheme (default: T- and the key id of its key)
${TERMINAL_OPTIONS_USAGE}

Running it again is safe: an enrolled terminal only refreshes its trust list.
Prints one line of JSON and exits 0; exits 1 with the reason when enrollment fails.`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, {
      ...TERMINAL_OPTIONS,
      backend: { type: 'string' },
      token: { type: 'string' },
      'root-key': { type: 'string', multiple: true },
      'terminal-id': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const backendUrl = values.backend;
    if (backendUrl === undefined) throw new UsageError('--backend is required');
    if (!/^https?:\/\/[^/]/.test(backendUrl)) throw new UsageError(`--backend must be an http(s) URL, got ${JSON.stringify(backendUrl)}`);
    const token = values.token;
    if (token === undefined || token === '') throw new UsageError('--token is required');
    const terminalId = values['terminal-id'];
    if (terminalId !== undefined && ([...terminalId].length < 1 || [...terminalId].length > 32)) throw new UsageError('--terminal-id must be 1 to 32 characters');
    const rootKeys = rootKeysOption(values['root-key']).map(toHex);
    try {
      const enrolled = await enroll({ dataDir: values.data, keyFile: values['key-file'], backendUrl, token, rootKeys, terminalId });
      const { databaseKey, ...rest } = enrolled;
      io.stdout(`${JSON.stringify({ ok: true, ...rest, databaseKey: databaseKey.kind === 'environment' ? `$${databaseKey.variable}` : databaseKey.path })}\n`);
      io.stderr(
        enrolled.alreadyEnrolled
          ? `kassa enroll: already enrolled as ${enrolled.terminalId} (${enrolled.merchantName}); trust list v${enrolled.trustListVersion} refreshed\n`
          : `kassa enroll: enrolled as ${enrolled.terminalId} for ${enrolled.merchantName}; trust list v${enrolled.trustListVersion}; data in ${enrolled.dataDir}\n`,
      );
      if (databaseKey.kind === 'file' && databaseKey.created) {
        io.stderr(`kassa enroll: made the database key ${databaseKey.path} (mode 0600): keep a copy somewhere safe, the payments cannot be read without it\n`);
      }
      return EXIT.ok;
    } catch (error) {
      if (reportFailure(io, 'enroll', error)) return EXIT.rejected;
      throw error;
    }
  },
};
