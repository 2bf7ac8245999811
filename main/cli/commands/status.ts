/**
 * `kassa status`: what the terminal holds and how settlement stands — unsettled payments per
 * currency, the last successful settlement, the last error, and what needs the operator.
 * Local only: it asks the VSE, not the backend (`kassa settle` does that). It only reads, so
 * it still runs on a full disk (the VSE read-only, nothing written).
 */
import { EXIT, parseOptions, toJson, UsageError, type Command } from '../command.ts';
import { attentionText, failureText, totalsText, whenText } from '../settlement-text.ts';
import { TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE, withTerminal } from '../terminal-context.ts';

export const statusCommand: Command = {
  usage: `kassa status [--json] [--data DIR] [--key-file FILE]

  --json            one JSON object instead of lines
${TERMINAL_OPTIONS_USAGE}`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS, json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    return withTerminal(values, io, 'status', async (host) => {
      const vse = await host.vse.call('status', {});
      const settlement = await host.settlement.refreshView();
      if (values.json) {
        const { activity: _activity, connectivity: _connectivity, nextAttemptAt: _next, ...kept } = settlement;
        const storage = { readOnly: vse.readOnly, problem: host.storageProblem?.message ?? null };
        io.stdout(`${toJson({ terminal: vse.certificate, backendUrl: host.config.backendUrl, trustList: vse.trustList, dataDir: host.paths.dataDir, storage, ...kept })}\n`);
        return EXIT.ok;
      }
      const terminal = vse.certificate;
      io.stdout(`Terminal:     ${terminal === null ? 'not enrolled (kassa enroll)' : `${terminal.terminalId}, ${terminal.merchantName} (merchant ${terminal.merchantId})`}\n`);
      io.stdout(`Backend:      ${host.config.backendUrl}\n`);
      if (vse.readOnly) io.stdout(`Storage:      read-only: ${host.storageProblem?.message ?? 'the data folder cannot be written'}; payments cannot be taken\n`);
      io.stdout(`Trust list:   ${vse.trustList === null ? 'none' : `v${vse.trustList.version}, refreshed ${whenText(vse.trustList.refreshedAt * 1000)}`}\n`);
      io.stdout(`Unsettled:    ${totalsText(settlement.unsettled)}\n`);
      if (settlement.openBatch !== null) io.stdout(`Open batch:   ${settlement.openBatch} (sent; resent with the same Idempotency-Key until answered)\n`);
      io.stdout(`Last try:     ${whenText(settlement.lastAttemptAt)}\n`);
      io.stdout(`Last success: ${whenText(settlement.lastSuccessAt)}\n`);
      io.stdout(`Last error:   ${settlement.lastError === null ? 'none' : `${failureText(settlement.lastError)} (${whenText(settlement.lastError.at)})`}\n`);
      if (settlement.doubleSpendEvidence > 0) io.stdout(`Evidence:     ${settlement.doubleSpendEvidence} double spend(s) refused at the counter, signed IOUs kept\n`);
      if (settlement.attention.length === 0) io.stdout('Attention:    nothing\n');
      for (const item of settlement.attention) io.stdout(`Attention:    ${attentionText(item)}\n`);
      return EXIT.ok;
    }, { access: 'read' });
  },
};
