// The headless host's placeholder page (served until the renderer is built): it opens the app
// WebSocket (the HttpOnly cookie authenticates it), shows the session, the till and the terminal
// live, and lets a cashier request, cancel and submit payments. Plain DOM, text only: nothing
// the host sends is ever parsed as HTML.

const $ = (id) => document.getElementById(id);

function setList(list, entries) {
  list.replaceChildren(
    ...entries.flatMap(([name, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value === null || value === undefined ? '–' : String(value);
      dd.dataset.field = name;
      return [dt, dd];
    }),
  );
}

const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`);
const pending = new Map();
let nextId = 1;
let session = null;

function call(method, params = {}) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    socket.send(JSON.stringify({ kind: 'call', id, method, params }));
  });
}

function showError(error) {
  $('error').textContent = error && error.code ? `${error.code}: ${error.message}` : String(error);
}

async function run(method, params) {
  $('error').textContent = '';
  try {
    return await call(method, params);
  } catch (error) {
    showError(error);
    return undefined;
  }
}

function showSession(info) {
  session = info;
  setList($('session'), [
    ['role', info.role],
    ['till', info.till],
    ['enrolled', info.enrolled],
    ['PIN set', info.pinSet],
    ['currency', info.currency],
    ['language', info.language],
    ['display pairing', info.pairingAvailable],
  ]);
  const cashier = info.role === 'cashier' || info.role === 'operator';
  $('cashier').hidden = !cashier || !info.enrolled;
  $('setup').hidden = !cashier || info.enrolled;
  $('pairing').hidden = !info.pairingAvailable;
  $('pin-label').textContent = info.pinSet ? 'Manager PIN, to unlock enrollment' : 'Choose a manager PIN (4–12 digits)';
  $('pin-submit').textContent = info.pinSet ? 'Unlock' : 'Set PIN';
  if (!info.enrolled) $('till-phase').textContent = 'not enrolled: no payments yet';
}

function showTill(state) {
  $('till-phase').textContent = state.phase;
  const request = state.request ?? state.cancelled ?? state.expired ?? null;
  const verdict = state.verdict ?? null;
  setList($('till'), [
    ['amount', request ? `${request.amount} ${request.currency}` : null],
    ['reference', request?.reference],
    ['request', request?.text],
    ['expires', request ? new Date(request.expires * 1000).toLocaleTimeString() : null],
    ['verdict', verdict ? (verdict.outcome === 'rejected' ? `rejected: ${verdict.reason}` : `${verdict.outcome}: ${verdict.payment.amount} ${verdict.payment.currency}`) : null],
  ]);
}

function showTerminal(status) {
  setList($('terminal'), [
    ['state', status.state],
    ['detail', status.stateDetail],
    ['terminal id', status.terminalId],
    ['merchant', status.merchantName],
    ['connectivity', status.settlement.connectivity],
    ['settlement', status.settlement.activity],
    ['unsettled', status.settlement.unsettled.map((t) => `${t.count} × ${t.amount} ${t.currency}`).join(', ') || 'nothing'],
  ]);
}

async function refresh() {
  const info = await run('session.info');
  if (info) showSession(info);
  const status = await run('terminal.status');
  if (status) showTerminal(status);
  if (session?.enrolled) {
    const till = await run('payments.state');
    if (till) showTill(till);
  }
}

socket.addEventListener('open', () => {
  $('connection').textContent = 'connected';
  $('connection').dataset.state = 'open';
});

socket.addEventListener('close', (event) => {
  $('connection').textContent = `closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`;
  $('connection').dataset.state = 'closed';
  for (const { reject } of pending.values()) reject({ code: 'INTERNAL', message: 'the connection to the host closed' });
  pending.clear();
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.kind === 'hello') {
    showSession(message.session);
    void refresh();
  } else if (message.kind === 'result' || message.kind === 'error') {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.kind === 'result') waiting.resolve(message.result);
    else waiting.reject(message.error);
  } else if (message.kind === 'event') {
    const { event: appEvent } = message;
    if (appEvent.name === 'till') showTill(appEvent.state);
    else if (appEvent.name === 'terminal') {
      showTerminal(appEvent.status);
      if (session && appEvent.status.enrolled !== session.enrolled) void refresh();
    }
  }
});

$('request-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const reference = $('reference').value.trim();
  void run('payments.request', { amount: Number($('amount').value), ...(reference ? { reference } : {}) });
});
$('cancel').addEventListener('click', () => void run('payments.cancel'));
$('dismiss').addEventListener('click', () => void run('payments.dismiss'));
$('submit-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const verdict = await run('payments.submit', { text: $('payment-text').value.trim(), channel: 'keyboard' });
  if (verdict) $('payment-text').value = '';
});
$('pairing-code').addEventListener('click', async () => {
  const pairing = await run('pairing.code');
  if (pairing) $('pairing-code-value').textContent = `${pairing.code} (until ${new Date(pairing.expiresAt * 1000).toLocaleTimeString()})`;
});
$('pin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const pin = $('pin').value;
  const done = session?.pinSet ? await run('auth.unlock', { pin }) : await run('auth.setPin', { pin });
  if (done) {
    $('pin').value = '';
    await refresh();
  }
});
$('enroll-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const rootKeys = $('root-keys').value.split(',').map((key) => key.trim().toLowerCase()).filter(Boolean);
  const enrolled = await run('terminal.enroll', { backendUrl: $('backend-url').value.trim(), token: $('enroll-token').value.trim(), rootKeys });
  if (enrolled) await refresh();
});
