/**
 * The published JSON Schemas (docs/ecr-schemas) are the host's own declarations, exported: the
 * committed files must equal a fresh export, compile under ajv's strict mode, and accept every
 * example docs/ecr-api.md shows (which the host's declarations accept too). The real host's
 * answers are checked against the same files in ecr.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ecrSchemaFiles, SCHEMA_FOLDER } from './export-schemas.ts';
import { MESSAGE_SCHEMAS, type MessageName } from './nexo-messages.ts';

const DOC = join(SCHEMA_FOLDER, '..', 'ecr-api.md');

/** Each example in the document: the schema its `<!-- schema: NAME -->` marker names, and its JSON. */
function docExamples(): { schema: string; json: unknown; line: number }[] {
  const text = readFileSync(DOC, 'utf8');
  const examples: { schema: string; json: unknown; line: number }[] = [];
  for (const match of text.matchAll(/<!-- schema: ([a-z-]+) -->\n```json\n([\s\S]*?)\n```/g)) {
    examples.push({ schema: match[1]!, json: JSON.parse(match[2]!), line: text.slice(0, match.index).split('\n').length + 1 });
  }
  return examples;
}

describe('the published ECR schemas', () => {
  it('are exactly what the host declares (run node main/ecr/export-schemas.ts after changing a message)', () => {
    const fresh = ecrSchemaFiles();
    expect(readdirSync(SCHEMA_FOLDER).sort()).toEqual(Object.keys(fresh).sort());
    for (const [file, text] of Object.entries(fresh)) expect(readFileSync(join(SCHEMA_FOLDER, file), 'utf8'), file).toBe(text);
  });

  it('compile under ajv strict mode, and accept every example of docs/ecr-api.md, as the host does', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const examples = docExamples();
    for (const name of Object.keys(MESSAGE_SCHEMAS) as MessageName[]) {
      const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_FOLDER, `${name}.json`), 'utf8')));
      const mine = examples.filter((example) => example.schema === name);
      expect(mine.length, `docs/ecr-api.md has no example of ${name}`).toBeGreaterThan(0);
      for (const example of mine) {
        expect(validate(example.json), `${name} example at line ${example.line}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        const hosts = MESSAGE_SCHEMAS[name].schema.safeParse(example.json);
        expect(hosts.success, `${name} example at line ${example.line}: ${hosts.error?.message}`).toBe(true);
      }
    }
    expect(examples.every((example) => example.schema in MESSAGE_SCHEMAS)).toBe(true);
  });

  it('refuse what the host refuses: a wrong category, an extra answer field, an amount that is not a number', () => {
    const ajv = new Ajv2020({ strict: true });
    const payment = docExamples().find((example) => example.schema === 'payment-request')!.json as { SaleToPOIRequest: { MessageHeader: object; PaymentRequest: { PaymentTransaction: { AmountsReq: object } } } };
    const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_FOLDER, 'payment-request.json'), 'utf8')));
    const withCategory = { SaleToPOIRequest: { ...payment.SaleToPOIRequest, MessageHeader: { ...payment.SaleToPOIRequest.MessageHeader, MessageCategory: 'Reversal' } } };
    expect(validate(withCategory)).toBe(false);
    const withTextAmount = structuredClone(payment);
    (withTextAmount.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq as Record<string, unknown>).RequestedAmount = '12.90';
    expect(validate(withTextAmount)).toBe(false);
    // Requests may carry fields Kassa ignores; answers carry none beyond the schema.
    const withExtra = structuredClone(payment) as unknown as { SaleToPOIRequest: { PaymentRequest: Record<string, unknown> } };
    withExtra.SaleToPOIRequest.PaymentRequest.LoyaltyData = [{ LoyaltyAccountID: 'x' }];
    expect(validate(withExtra)).toBe(true);
    const response = docExamples().find((example) => example.schema === 'payment-response')!.json as { SaleToPOIResponse: { PaymentResponse: Record<string, unknown> } };
    const validateResponse = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_FOLDER, 'payment-response.json'), 'utf8')));
    expect(validateResponse(response)).toBe(true);
    response.SaleToPOIResponse.PaymentResponse.LoyaltyResult = [];
    expect(validateResponse(response)).toBe(false);
  });
});
