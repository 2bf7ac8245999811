/**
 * The cash-register (ECR) endpoint over HTTP: `POST /ecr/nexo` takes every nexo
 * SaleToPOIRequest (like the Terminal API's `/sync`) and answers in the same HTTP exchange
 * (synchronous mode: a Payment's answer comes when the payment has ended). docs/ecr-api.md is
 * the register integrator's description.
 *
 * Each register authenticates with its own long-lived token (`Authorization: Bearer …`, made by
 * `kassa ecr add NAME`), not with the host's per-launch token: the headless server mounts this
 * plugin and leaves `/ecr/` to it. `clients()` is asked on every request (the host's list, which
 * it reads from config.json when it starts; `kassa ecr` changes it while the host is stopped).
 *
 * The routes live in their own fastify scope: its JSON parser hands the body over as text, so
 * amounts are read from the digits the register sent (nexo-json.ts), and nothing of it changes
 * how the rest of the server parses JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { AppApiServer } from '../host/app-api-server.ts';
import type { AppHost } from '../host/app-host.ts';
import type { EcrClient } from '../host/host-settings.ts';
import { ecrClientFor } from './credentials.ts';
import { runtimeKeepsNumberText } from './nexo-json.ts';
import { rejectNotification, RESPONSE_MESSAGES } from './nexo-messages.ts';
import { EcrService, type EcrAnswer } from './nexo-service.ts';

export const ECR_PATH = '/ecr/nexo';
/** A nexo request is a few hundred bytes; 64 KiB leaves room for a register's extra fields. */
export const ECR_BODY_LIMIT = 64 * 1024;

export interface EcrRouteDeps {
  api: AppApiServer;
  host: AppHost;
  /** The registers allowed in (config.json `host.ecr.clients`), asked on every request. */
  clients: () => readonly EcrClient[];
}

function plainError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ error: { code, message } }));
}

/** The answer as it goes on the wire, checked against the published schema first (a host bug is a 500, never a wrong message). */
function wireText(answer: Exclude<EcrAnswer, { kind: 'abort' }>): { ok: true; text: string } | { ok: false; problem: string } {
  const text = JSON.stringify(answer.body);
  const schema = answer.kind === 'reject' ? rejectNotification : RESPONSE_MESSAGES[answer.category];
  const checked = schema.safeParse(JSON.parse(text));
  return checked.success ? { ok: true, text } : { ok: false, problem: z.prettifyError(checked.error) };
}

/** Mounts `POST /ecr/nexo` on `app` (in a scope of its own; effective once the app is ready). */
export function registerEcrRoutes(app: FastifyInstance, deps: EcrRouteDeps): EcrService {
  if (!runtimeKeepsNumberText()) throw new Error('this runtime lacks JSON.parse source text access and JSON.rawJSON (V8 11.4+): ECR amounts cannot be read exactly');
  const service = new EcrService({ api: deps.api, host: deps.host });
  const registers = new WeakMap<FastifyRequest, EcrClient>();
  // Payments still waiting when the server closes are answered, so the close does not wait for them.
  app.addHook('preClose', (done) => {
    service.shutdown();
    done();
  });

  void app.register(async (scope) => {
    scope.removeContentTypeParser(['application/json']);
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: ECR_BODY_LIMIT }, (_request, body, done) => done(null, body));

    scope.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization;
      const token = typeof header === 'string' ? /^Bearer +(\S+)$/i.exec(header)?.[1] : undefined;
      if (token === undefined) {
        void reply.header('www-authenticate', 'Bearer realm="kassa-ecr"');
        return plainError(reply, 401, 'UNAUTHORIZED', "send the register's token: Authorization: Bearer <token> (kassa ecr add NAME makes one)");
      }
      let client: EcrClient | undefined;
      try {
        client = ecrClientFor(token, deps.clients());
      } catch (error) {
        request.log.error({ err: error }, 'ecr: the register list cannot be read');
        return plainError(reply, 503, 'UNAVAILABLE', 'the register list cannot be read: see the host log');
      }
      if (client === undefined) {
        void reply.header('www-authenticate', 'Bearer realm="kassa-ecr", error="invalid_token"');
        return plainError(reply, 401, 'UNAUTHORIZED', 'this register token is unknown or revoked');
      }
      registers.set(request, client);
      return undefined;
    });

    scope.post(ECR_PATH, { bodyLimit: ECR_BODY_LIMIT }, async (request, reply) => {
      const client = registers.get(request)!;
      const text = typeof request.body === 'string' ? request.body : '';
      const answer = await service.handle(client, text);
      // While the server closes, a kept-alive connection would hold the close up until it times out.
      if (service.isShuttingDown) void reply.header('connection', 'close');
      if (answer.kind === 'abort') {
        request.log.info({ register: client.name, category: 'Abort', outcome: answer.outcome }, 'ecr message');
        return reply.code(200).header('x-kassa-abort', answer.outcome).send();
      }
      const wire = wireText(answer);
      if (!wire.ok) {
        request.log.error({ register: client.name, problem: wire.problem }, 'ecr: an answer outside the published schema was held back');
        return plainError(reply, 500, 'INTERNAL', 'the host made an answer outside its own schema: see the host log');
      }
      if (answer.kind === 'reject') {
        request.log.warn({ register: client.name, problem: answer.message }, 'ecr message rejected');
        return reply.code(400).type('application/json; charset=utf-8').send(wire.text);
      }
      request.log.info({ register: client.name, category: answer.category, result: answer.result, errorCondition: answer.errorCondition }, 'ecr message');
      return reply.code(200).type('application/json; charset=utf-8').send(wire.text);
    });
  });
  return service;
}
