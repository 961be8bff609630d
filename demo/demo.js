// The demo page's script: everything comes from the built script-tag bundle (/dist/flare-web.js).
// 1. pick names, 2. device check, 3. a call with chat beside it and a live view of the connection.
import { FlareClient, registerClientFactory } from '/dist/flare-web.js';

const $ = (id) => document.getElementById(id);
const serverUrl = location.origin;
const params = new URLSearchParams(location.search);

// The reference server's development certificate is self-signed: WebTransport needs its hash.
const certHash = await fetch('/cert-hash')
  .then((r) => (r.ok ? r.text() : ''))
  .then((t) => t.trim() || null)
  .catch(() => null);
// By default one SharedWorker connection per user for all elements and tabs; `?connection=page` runs the
// connection on this page's thread instead (`inPage`: the fastest round trips, no worker, not shared).
const inPage = params.get('connection') === 'page';
const connection = inPage ? { certHash, inPage: true } : { certHash, shared: true, workerUrl: '/dist/flare-worker.js' };
// Elements with `server-url` get their client from this factory.
registerClientFactory(connection);

// --- language and theme
const lang = $('lang');
const theme = $('theme');
lang.value = params.get('lang') ?? (navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
document.documentElement.lang = lang.value;
lang.addEventListener('change', () => (document.documentElement.lang = lang.value));
theme.addEventListener('change', () => {
  document.documentElement.dataset.theme = theme.value;
  for (const el of document.querySelectorAll('device-check, flare-call, flare-chat')) {
    if (theme.value) el.setAttribute('theme', theme.value);
    else el.removeAttribute('theme');
  }
});

const health = () =>
  fetch('/health')
    .then((r) => r.json())
    .then((h) => ($('health').textContent = `${h.status}, ${h.connections.total} connections`))
    .catch(() => ($('health').textContent = 'unreachable'));
void health();
setInterval(health, 5000);

// --- 1. names
const names = ['alice', 'bob'];
$('user').value = params.get('user') ?? names[0];
$('peer').value = params.get('peer') ?? names[1];
$('room').value = params.get('room') ?? 'demo';
const otherTab = () => {
  const q = new URLSearchParams({ user: $('peer').value, peer: $('user').value, room: $('room').value, lang: lang.value });
  $('other-tab').href = `?${q}`;
};
for (const id of ['user', 'peer', 'room']) $(id).addEventListener('input', otherTab);
otherTab();

let me = null;
$('setup-form').addEventListener('submit', (e) => {
  e.preventDefault();
  me = { user: $('user').value.trim(), peer: $('peer').value.trim(), room: $('room').value.trim() };
  history.replaceState(null, '', `?${new URLSearchParams({ ...me, lang: lang.value })}`);
  $('setup').hidden = true;
  $('check').hidden = false;
  const check = $('device-check');
  check.user = me.user;
  check.serverUrl = serverUrl;
  void check.start();
});
if (params.has('user') && params.has('peer')) $('setup-form').requestSubmit();

// --- 2. device check, then the call
const enterApp = () => {
  $('check').hidden = true;
  $('app').hidden = false;
  // Attributes, as a page without a build step would write them in its HTML.
  const call = $('call');
  call.setAttribute('user', me.user);
  call.setAttribute('peer', me.peer);
  call.setAttribute('server-url', serverUrl);
  const chat = $('chat');
  chat.setAttribute('user', me.user);
  chat.setAttribute('room', me.room);
  chat.setAttribute('server-url', serverUrl);
  startPanel();
};
$('device-check').addEventListener('flare-device-check-complete', enterApp);
$('skip-check').addEventListener('click', () => {
  $('device-check').session?.stop();
  enterApp();
});

// --- 3. the live connection panel: a client on the same shared connection as the elements (with
// `?connection=page`, a connection of its own in this page, beside the elements' ones)
function startPanel() {
  const client = new FlareClient({ url: serverUrl, userId: me.user, ...connection });
  const log = (text) => {
    const li = document.createElement('li');
    li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
    $('events').prepend(li);
    while ($('events').children.length > 100) $('events').lastChild.remove();
  };
  client.on('state', ({ from, to, code }) => log(`state ${from} → ${to} (${code})`));
  client.on('raced', ({ winner, decidedBy, scores }) =>
    log(`race won by ${winner} (${decidedBy})${decidedBy === 'score' ? ` ${JSON.stringify(scores)}` : ''}`),
  );
  client.on('connected', ({ protocol, format, compression }) => log(`connected over ${protocol}, ${format}, ${compression}`));
  client.on('protocolSwitched', ({ from, to, reason }) => log(`switched ${from} → ${to}: ${reason}`));
  client.on('reconnecting', ({ reason }) => log(`reconnecting: ${reason}`));
  client.on('kicked', ({ reason }) => log(`kicked: ${reason}`));
  client
    .connect()
    .then(() => {
      // On the shared connection the elements may have raced first: show where it stands now.
      const scores = client.state.scores.get();
      log(`on ${inPage ? 'a connection in this page' : 'the shared connection'}: ${client.protocol ?? 'not connected'}${Object.keys(scores).length ? `, race scores ${JSON.stringify(scores)}` : ''}`);
    })
    .catch((e) => log(`connect failed: ${e.message}`));

  for (const button of document.querySelectorAll('[data-switch]')) {
    button.addEventListener('click', () => client.switchProtocol(button.dataset.switch).catch((e) => log(`switch failed: ${e.message}`)));
  }

  const ms = (v) => (v === null || v === undefined ? '–' : `${Math.round(v)} ms`);
  const render = () => {
    const s = client.state;
    const stats = s.stats.get();
    const metrics = s.metrics.get();
    const current = s.protocol.get();
    // Heartbeats measure RTT every 30 s; until the first one, the scorer's smoothed RTT of the live transport.
    const rtt = s.rtt.get() ?? (current ? metrics[current]?.rttMs : null);
    const figures = {
      State: s.status.get(),
      Protocol: s.protocol.get() ?? '–',
      RTT: ms(rtt),
      'Clock offset': ms(s.clockOffset.get()),
      Reconnects: stats?.reconnects ?? 0,
      Switches: stats?.switches ?? 0,
      'Messages sent': stats?.messagesSent ?? 0,
      'Messages received': stats?.messagesReceived ?? 0,
      Outbox: stats ? `${stats.outboxSize} (${stats.outboxInFlight} in flight)` : '–',
      Connection: { page: 'in this page', 'shared-worker': "SharedWorker, shared by this origin's tabs", worker: 'dedicated worker' }[client.runsIn] ?? '–',
    };
    $('figures').replaceChildren(
      ...Object.entries(figures).map(([k, v]) => {
        const div = document.createElement('div');
        const dt = document.createElement('dt');
        const dd = document.createElement('dd');
        dt.textContent = k;
        dd.textContent = String(v);
        div.append(dt, dd);
        return div;
      }),
    );
    const scores = s.scores.get();
    $('scores').replaceChildren(
      ...['webtransport', 'websocket'].map((kind) => {
        const m = metrics[kind];
        // The live metrics first: a remembered race winner was never probed, so its race score is 0 plus the preference bonus.
        const score = m?.score ?? scores[kind] ?? 0;
        const row = document.createElement('div');
        row.className = 'score';
        const name = document.createElement('span');
        name.textContent = kind + (current === kind ? ' (in use)' : '');
        const meter = document.createElement('meter');
        meter.min = 0;
        meter.max = 100;
        meter.value = score;
        meter.setAttribute('aria-label', `${kind} score`);
        const value = document.createElement('span');
        value.textContent = String(Math.round(score));
        value.title = m ? `p50 ${ms(m.p50Ms)}, p99 ${ms(m.p99Ms)}, jitter ${ms(m.jitterMs)}, loss ${(m.lossRate * 100).toFixed(1)}%` : 'not measured';
        row.append(name, meter, value);
        return row;
      }),
    );
  };
  render();
  setInterval(() => {
    client.refreshStats().catch(() => null).finally(render);
  }, 1000);
}
