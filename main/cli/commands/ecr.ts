/**
 * `kassa ecr add|revoke|list`: the cash registers (ECR) allowed to start payments over the nexo
 * API (docs/ecr-api.md). Each register has its own token, shown once by `add` and kept only as
 * its SHA-256; `revoke` shuts a register out. Changes are made while the host is stopped.
 */
import { RegisterError, addRegister, changeRegisters, readRegisters, revokeRegister } from '../../ecr/registers.ts';
import { EXIT, parseOptions, toJson, UsageError, type CliIo, type Command } from '../command.ts';
import { reportFailure } from '../terminal-context.ts';

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function failed(io: CliIo, error: unknown): number {
  if (error instanceof RegisterError) {
    io.stderr(`kassa ecr: ${error.message} [${error.code}]\n`);
    return EXIT.rejected;
  }
  if (reportFailure(io, 'ecr', error)) return EXIT.rejected;
  throw error;
}

export const ecrCommand: Command = {
  usage: `kassa ecr add NAME [--json] [--data DIR]
kassa ecr revoke NAME [--data DIR]
kassa ecr list [--json] [--data DIR]

  add NAME      a register with a new token, printed once (only its SHA-256 is kept). NAME is
                letters, digits, dot, dash and underscore, up to 32. A revoked NAME may be added
                again: the same register with a new token.
  revoke NAME   the register's token stops working at its next message
  list          the registers, active and revoked (never their tokens)
  --json        one JSON object instead of text
  --data DIR    the terminal's data folder (default $KASSA_DATA, else $XDG_DATA_HOME/kassa,
                else ~/.local/share/kassa)

The host (kassa serve, or the app) must be stopped to change the list: it holds the data folder
and reads the list when it starts. The register sends nexo messages to POST /ecr/nexo on the
host with "Authorization: Bearer TOKEN" (docs/ecr-api.md).`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { data: { type: 'string' }, json: { type: 'boolean' } });
    const [action, name, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    const location = { dataDir: values.data };
    try {
      switch (action) {
        case 'add': {
          if (name === undefined) throw new UsageError('add needs the register\'s NAME');
          const added = changeRegisters(location, (clients) => {
            const result = addRegister(clients, name);
            return { clients: result.clients, result };
          });
          if (values.json) {
            io.stdout(`${toJson({ name, token: added.token })}\n`);
            return EXIT.ok;
          }
          io.stdout(
            [
              `Register ${name} ${added.replacedRevoked ? 'has a new token (its old one stays revoked)' : 'added'}. Its token, shown only now (Kassa keeps only its SHA-256):`,
              '',
              `  ${added.token}`,
              '',
              'Give it to the register: it sends nexo messages to POST http://HOST:PORT/ecr/nexo with the header',
              `  Authorization: Bearer ${added.token}`,
              '(docs/ecr-api.md). Start the host again for the register to be let in.',
              '',
            ].join('\n'),
          );
          return EXIT.ok;
        }
        case 'revoke': {
          if (name === undefined) throw new UsageError('revoke needs the register\'s NAME');
          const revoked = changeRegisters(location, (clients) => {
            const result = revokeRegister(clients, name);
            return { clients: result.clients, result };
          });
          io.stdout(revoked.alreadyRevoked ? `Register ${name} was revoked already.\n` : `Register ${name} revoked: its token no longer works.\n`);
          return EXIT.ok;
        }
        case 'list': {
          if (name !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(name)}`);
          const clients = readRegisters(location);
          if (values.json) {
            io.stdout(`${toJson({ registers: clients.map(({ name: n, createdAt, revokedAt }) => ({ name: n, createdAt, revokedAt })) })}\n`);
            return EXIT.ok;
          }
          if (clients.length === 0) io.stdout('No registers yet (kassa ecr add NAME).\n');
          for (const client of clients) {
            io.stdout(`${client.name.padEnd(32)}  added ${when(client.createdAt)}  ${client.revokedAt === null ? 'active' : `revoked ${when(client.revokedAt)}`}\n`);
          }
          return EXIT.ok;
        }
        default:
          throw new UsageError(action === undefined ? 'say add, revoke or list' : `unknown action ${JSON.stringify(action)}: add, revoke or list`);
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      return failed(io, error);
    }
  },
};
