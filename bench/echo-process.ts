/**
 * The far end of the `vse-accept` floor's round trip: a process that does nothing but answer.
 * The first message it gets is the answer to give (a real accept response, so the way back
 * carries the VSE's real size and shape); every later message is a request, answered at once
 * with that response under the request's id.
 */
interface Request {
  id: number;
}

let answer: Record<string, unknown> | undefined;

process.on('message', (message) => {
  if (answer === undefined) {
    answer = message as Record<string, unknown>;
    process.send!({ kind: 'ready' });
    return;
  }
  answer.id = (message as Request).id;
  process.send!(answer);
});
process.on('disconnect', () => process.exit(0));
