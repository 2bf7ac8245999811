/**
 * `kassa serve`: the headless host (main/headless/) — the terminal's services behind an HTTP +
 * WebSocket server for a cashier screen in a plain browser, customer displays and cash
 * registers. Starts on a fresh data folder too: the page then walks the operator through
 * enrollment. When it is ready it prints exactly one line on stdout, the address with this
 * launch's token; everything else goes to stderr. Ctrl-C (SIGINT) or SIGTERM shuts it down
 * in order.
 *
 * The host's modules are imported when the command runs, not when the command line loads, so
 * every other command starts without them.
 */
import { EXIT, parseOptions, UsageError, wholeNumber, type Command } from '../command.ts';
import { reportFailure, TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE } from '../terminal-context.ts';

const DEFAULT_PORT = 8780; // main/headless/server.ts DEFAULT_PORT, repeated so the usage needs no import

export const serveCommand: Command = {
  usage: `kassa serve [--port N] [--data DIR] [--key-file FILE] [--lan]

  Prints one line when ready: Kassa listening on http://127.0.0.1:PORT/?token=TOKEN
  Open that address in a browser on this machine. The token is new at every start.

  --port N          the port to listen on (default ${DEFAULT_PORT}, or host.lan.port in config.json;
                    0 picks a free one)
  --lan             also listen on the local network (0.0.0.0), so customer displays on
                    other devices can pair with a code the cashier screen shows (also
                    turned on by host.lan.enabled in config.json); the cashier screen
                    still works only from this machine
${TERMINAL_OPTIONS_USAGE}`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS, port: { type: 'string' }, lan: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const portOption = wholeNumber('port', values.port);
    if (portOption !== undefined && portOption > 65535) throw new UsageError(`--port must be at most 65535, got ${portOption}`);

    const { AppHost } = await import('../../host/app-host.ts');
    // The server's and the cash registers' modules load while the VSE process starts.
    const serverModule = import('../../headless/server.ts');
    const ecrModule = import('../../ecr/nexo-routes.ts');
    const { openHostLog } = await import('../../host/logging.ts');
    const { terminalPaths } = await import('../../terminal/paths.ts');

    // The log goes to rotated files in the data folder (docs/host.md, "Logs").
    const paths = terminalPaths({ dataDir: values.data, keyFile: values['key-file'] });
    let log: Awaited<ReturnType<typeof openHostLog>>;
    try {
      log = await openHostLog(paths.dataDir, { level: logLevel(process.env.KASSA_LOG_LEVEL) });
    } catch (error) {
      io.stderr(`kassa serve: cannot write the log in ${paths.dataDir}: ${(error as Error).message}\n`);
      return EXIT.rejected;
    }
    const logger = log.logger;
    let host: Awaited<ReturnType<typeof AppHost.open>>;
    try {
      // The bundled VSE when `npm run build:app` made a fresh one: it starts faster and in ~40 MB less.
      const { forkLauncher } = await import('../../vse/launcher.ts');
      host = await AppHost.open({ dataDir: values.data, keyFile: values['key-file'], logger, launcher: (vseDir) => forkLauncher({ dataDir: vseDir, preferBundle: true }) });
    } catch (error) {
      await log.close();
      if (reportFailure(io, 'serve', error)) return EXIT.rejected;
      throw error;
    }
    const { startHeadlessServer } = await serverModule;
    const { registerEcrRoutes } = await ecrModule;
    const lan = values.lan === true || host.settings.lan.enabled;
    const port = portOption ?? host.settings.lan.port ?? DEFAULT_PORT;
    let server: Awaited<ReturnType<typeof startHeadlessServer>>;
    try {
      // The cash registers' API (docs/ecr-api.md) at /ecr/, with its own credentials.
      const ecr = (app: Parameters<typeof registerEcrRoutes>[0], deps: { api: Parameters<typeof registerEcrRoutes>[1]['api'] }) =>
        void registerEcrRoutes(app, { api: deps.api, host, clients: () => host.settings.ecr.clients });
      server = await startHeadlessServer({ host, port, address: lan ? '0.0.0.0' : '127.0.0.1', lan, logger, plugins: [ecr] });
    } catch (error) {
      await host.close();
      await log.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        io.stderr(`kassa serve: cannot listen on port ${port} (${code}): another program (another kassa serve?) has it; choose one with --port\n`);
        return EXIT.rejected;
      }
      throw error;
    }

    io.stdout(`Kassa listening on ${server.url}\n`);
    for (const url of server.pairingUrls) io.stderr(`kassa serve: customer displays pair at ${url}\n`);

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    io.stderr(`kassa serve: ${signal}: shutting down\n`);
    await server.close();
    await host.close();
    await log.close();
    return EXIT.ok;
  },
};

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** KASSA_LOG_LEVEL, when it names a pino level; info otherwise. */
function logLevel(value: string | undefined): (typeof LEVELS)[number] {
  return (LEVELS as readonly string[]).includes(value ?? '') ? (value as (typeof LEVELS)[number]) : 'info';
}
