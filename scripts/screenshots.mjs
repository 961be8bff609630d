// Screenshots of each element for the README, taken from the real demo page in Chromium with fake
// media devices: `node scripts/screenshots.mjs` (after `npm run build`) writes docs/screenshots/*.png.
// It starts the reference server on a free port, opens the demo as two people (alice and bob), runs
// the device check, chats, and calls from one tab to the other; so it doubles as a smoke test of the
// demo (it fails when a step does not happen).
import puppeteer from 'puppeteer-core';
import { existsSync, mkdirSync } from 'node:fs';
import { findChromium, CHROMIUM_FLAGS } from './find-chromium.mjs';
import { startServer } from './server-process.mjs';

const OUT = 'docs/screenshots';
const STEP_TIMEOUT = 120_000;

if (!existsSync('dist/flare-web.js')) {
  console.error('flare-web: dist/flare-web.js is missing; run `npm run build` first');
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });

/** Evaluates `fn` in the page until it returns something truthy. */
async function until(page, what, fn, ...args) {
  try {
    return await page.waitForFunction(fn, { timeout: STEP_TIMEOUT, polling: 100 }, ...args);
  } catch (e) {
    throw new Error(`screenshots: timed out waiting for ${what} (${e.message})`);
  }
}

/** Clicks the button matching `selector` inside `host`'s shadow root. */
async function clickIn(page, host, selector) {
  const ok = await page.evaluate((h, s) => {
    const b = document.querySelector(h)?.shadowRoot?.querySelector(s);
    b?.click();
    return !!b;
  }, host, selector);
  if (!ok) throw new Error(`screenshots: no ${selector} in ${host}`);
}

async function shot(page, selector, name) {
  await page.bringToFront(); // background pages in headless Chromium do not paint
  const el = await page.$(selector);
  // Wait for a freshly presented frame in every video of the element (they pause in the background).
  await el.evaluate((host) => {
    const videos = [...(host.shadowRoot ?? host).querySelectorAll('video')];
    const frame = (v) => new Promise((r) => (v.play().catch(() => {}), v.requestVideoFrameCallback(() => r()), setTimeout(r, 5000)));
    return Promise.all(videos.map(frame));
  });
  await el.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await new Promise((r) => setTimeout(r, 300)); // let transitions and the last video frame settle
  await el.screenshot({ path: `${OUT}/${name}.png` });
  console.log(`  ${OUT}/${name}.png`);
}

const server = await startServer();
const browser = await puppeteer.launch({
  executablePath: findChromium(),
  headless: true,
  protocolTimeout: 300_000, // this machine may be shared and busy
  args: [...CHROMIUM_FLAGS.filter((f) => f !== '--headless=new'), '--window-size=1280,1000'],
  defaultViewport: { width: 1280, height: 1000, deviceScaleFactor: 1 },
});
try {
  const open = async (user, peer) => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[${user}] page error: ${e.message}`));
    await page.goto(`${server.url}/?user=${user}&peer=${peer}&room=screenshots&lang=en`);
    return page;
  };

  console.log('flare-web: screenshots');
  const alice = await open('alice', 'bob');
  // The verdict is `limited` rather than `ready` when the network test grades this (busy) machine poorly.
  await until(alice, 'the device check verdict', () => ['ready', 'limited'].includes(document.querySelector('device-check')?.session?.verdict.get()));
  await until(alice, 'the network test', () => document.querySelector('device-check')?.session?.network.get().phase === 'measured');
  await until(alice, 'a preview frame', () => document.querySelector('device-check')?.shadowRoot?.querySelector('video')?.videoWidth > 0);
  await shot(alice, 'device-check', 'device-check');
  await alice.evaluate(() => document.querySelector('device-check').complete());

  const bob = await open('bob', 'alice');
  await until(bob, 'the device check', () => ['ready', 'limited'].includes(document.querySelector('device-check')?.session?.verdict.get()));
  await bob.evaluate(() => document.querySelector('device-check').complete());

  for (const page of [alice, bob]) {
    await until(page, 'chat connected', () => document.querySelector('flare-chat')?.chat?.status.get() === 'connected');
  }
  const say = (page, text) => page.evaluate((t) => document.querySelector('flare-chat').send(t), text);
  await say(alice, 'Hi Bob! Shall we go over the release notes?');
  await until(bob, 'alice’s message at bob', () => document.querySelector('flare-chat').chat.messages.get().length > 0);
  await say(bob, 'Sure — the draft is at https://example.com/flare/release-notes. Calling you in a minute.');
  await say(alice, 'Great, <b>tags</b> stay text: no HTML from messages is ever rendered.');
  await bob.evaluate(() => document.querySelector('flare-chat').chat.setTyping(true));
  await until(alice, 'acks and typing at alice', () => {
    const chat = document.querySelector('flare-chat');
    const own = chat.chat.messages.get().filter((m) => m.delivery);
    return own.length === 2 && own.every((m) => m.delivery.get() === 'acked') && chat.chat.typing.get().length === 1;
  });
  await shot(alice, 'flare-chat', 'flare-chat');

  await clickIn(alice, 'flare-call', 'button[part~="call"]');
  await until(bob, 'the incoming call', () => document.querySelector('flare-call').shadowRoot.querySelector('[part~="incoming"]'));
  await shot(bob, 'flare-call', 'flare-call-incoming');
  await clickIn(bob, 'flare-call', 'button[part~="accept"]');
  for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) {
    await until(page, `${other}’s video`, (o) => document.querySelector('flare-call').shadowRoot.querySelector(`[data-participant="${o}"] video`)?.videoWidth > 0, other);
  }
  await until(alice, 'measured call quality', () => document.querySelector('flare-call').shadowRoot.querySelector('[part~="quality"]:not([data-level="0"])'));
  await shot(alice, 'flare-call', 'flare-call');
  await until(alice, 'connection figures', () => document.querySelector('#figures dd') && document.querySelectorAll('#events li').length > 0);
  // Move the shared connection to the other transport live: the panel logs the switch, the chat keeps going.
  const before = await alice.evaluate(() => document.querySelector('flare-chat').chat.protocol.get());
  const other = before === 'websocket' ? 'webtransport' : 'websocket';
  await alice.evaluate((kind) => document.querySelector(`[data-switch="${kind}"]`).click(), other);
  await until(alice, `the switch to ${other}`, (kind) => document.querySelector('flare-chat').chat.protocol.get() === kind && [...document.querySelectorAll('#events li')].some((li) => li.textContent.includes('switched')), other);
  await say(alice, `Still here after the switch to ${other}.`);
  await until(bob, 'the message after the switch', () => document.querySelector('flare-chat').chat.messages.get().some((m) => m.text.startsWith('Still here')));
  await shot(alice, '#connection', 'connection-panel');
  await alice.evaluate(() => window.scrollTo(0, 0));
  await alice.screenshot({ path: `${OUT}/demo.png`, fullPage: true });
  console.log(`  ${OUT}/demo.png`);

  await alice.evaluate(() => {
    document.documentElement.lang = 'zh-CN';
    const theme = document.getElementById('theme');
    theme.value = 'dark';
    theme.dispatchEvent(new Event('change'));
  });
  await shot(alice, 'flare-chat', 'flare-chat-dark-zh');
  await clickIn(alice, 'flare-call', 'button[part~="hangup"]');
  await until(bob, 'the hang-up at bob', () => document.querySelector('flare-call').shadowRoot.querySelector('[part~="outcome"]'));
} finally {
  await browser.close();
  await server.stop();
}
