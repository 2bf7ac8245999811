/**
 * Writes docs/ecr-schemas/*.json (JSON Schema draft 2020-12) from the message declarations in
 * nexo-messages.ts, so the published schemas and the host's own checks never drift apart (a test
 * compares the committed files with a fresh export). Run after changing a message:
 *
 *   node main/ecr/export-schemas.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { MESSAGE_SCHEMAS, type MessageName } from './nexo-messages.ts';

export const SCHEMA_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'ecr-schemas');
const SCHEMA_ID_BASE = 'https://kassa.invalid/ecr-schemas/';

const TITLES: Record<MessageName, string> = {
  'payment-request': 'Kassa ECR: Payment request (SaleToPOIRequest with PaymentRequest)',
  'payment-response': 'Kassa ECR: Payment response (SaleToPOIResponse with PaymentResponse)',
  'abort-request': 'Kassa ECR: Abort request (SaleToPOIRequest with AbortRequest); answered with an empty HTTP 200',
  'transaction-status-request': 'Kassa ECR: TransactionStatus request (SaleToPOIRequest with TransactionStatusRequest)',
  'transaction-status-response': 'Kassa ECR: TransactionStatus response (SaleToPOIResponse with TransactionStatusResponse)',
  'get-totals-request': 'Kassa ECR: GetTotals request (SaleToPOIRequest with GetTotalsRequest)',
  'get-totals-response': 'Kassa ECR: GetTotals response (SaleToPOIResponse with GetTotalsResponse)',
  'reject-notification': 'Kassa ECR: the answer to a message Kassa cannot read (EventNotification Reject, HTTP 400)',
};

/** Each message's JSON Schema, as the file holds it (pretty JSON with a final newline). */
export function ecrSchemaFiles(): Record<`${MessageName}.json`, string> {
  const files = {} as Record<`${MessageName}.json`, string>;
  for (const name of Object.keys(MESSAGE_SCHEMAS) as MessageName[]) {
    const { schema, io } = MESSAGE_SCHEMAS[name];
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw' }) as Record<string, unknown>;
    const document = { $schema: json.$schema, $id: `${SCHEMA_ID_BASE}${name}.json`, title: TITLES[name], ...json };
    files[`${name}.json`] = `${JSON.stringify(document, null, 2)}\n`;
  }
  return files;
}

if (import.meta.main) {
  mkdirSync(SCHEMA_FOLDER, { recursive: true });
  for (const [file, text] of Object.entries(ecrSchemaFiles())) writeFileSync(join(SCHEMA_FOLDER, file), text);
  process.stdout.write(`wrote ${Object.keys(MESSAGE_SCHEMAS).length} schemas to ${SCHEMA_FOLDER}\n`);
}
