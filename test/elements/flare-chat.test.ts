import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/elements/flare-chat/define.ts';
import type { FlareChat } from '../../src/elements/flare-chat/flare-chat.ts';
import type { ChatMessage } from '../../src/elements/flare-chat/chat-source.ts';
import { waitFor } from '../sdk/call/wait.ts';
import { axeViolations, unnamedControls } from './a11y.ts';
import { ChatHub, type HubChatSource } from './chat-hub.ts';

const $ = <E extends Element = HTMLElement>(el: FlareChat, selector: string) => el.shadowRoot!.querySelector<E>(selector);
const $$ = <E extends Element = HTMLElement>(el: FlareChat, selector: string) => [...el.shadowRoot!.querySelectorAll<E>(selector)];
const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));

async function settled(el: FlareChat): Promise<void> {
  // The list may take a few passes (measure, re-window) after a change.
  for (let i = 0; i < 4; i++) {
    await el.updateComplete;
    await frame();
  }
  await el.updateComplete;
}

describe('<flare-chat>', function () {
  this.timeout(60_000);
  const mounted: Element[] = [];
  let hub: ChatHub;

  beforeEach(() => {
    hub = new ChatHub();
  });
  afterEach(() => {
    for (const el of mounted.splice(0)) el.remove();
    document.documentElement.removeAttribute('lang');
  });

  async function mount(source: HubChatSource, setup: (el: FlareChat) => void = () => {}): Promise<FlareChat> {
    const el = document.createElement('flare-chat');
    el.style.setProperty('--flare-chat-height', '420px');
    el.style.width = '720px';
    el.room = 'lobby';
    el.source = source;
    setup(el);
    document.body.append(el);
    mounted.push(el);
    await settled(el);
    return el;
  }

  const row = (el: FlareChat, id: string) => $(el, `article[data-id="${id}"]`);
  const input = (el: FlareChat) => $<HTMLTextAreaElement>(el, 'textarea')!;

  it('carries a message between two users with its delivery states: queued, sent, acked', async () => {
    hub.holdAcks = true;
    const alice = await mount(hub.join('alice'));
    const bob = await mount(hub.join('bob'));
    const received = new Promise<CustomEvent<ChatMessage>>((resolve) => document.addEventListener('flare-chat-message', resolve as EventListener, { once: true }));

    const id = alice.send('hello bob')!;
    await alice.updateComplete;
    expect(row(alice, id)!.querySelector('[data-state]')!.getAttribute('data-state')).to.equal('queued');
    await waitFor(async () => (await alice.updateComplete, row(alice, id)!.querySelector('[data-state="sent"]')), 'sent');
    expect(row(bob, id)).to.equal(null); // not acked by the server yet, so not delivered
    hub.releaseAcks();
    await waitFor(async () => (await alice.updateComplete, row(alice, id)!.querySelector('[data-state="acked"]')), 'acked');
    expect(row(alice, id)!.textContent).to.contain('Delivered');
    await settled(bob);
    expect(row(bob, id)!.querySelector('.bubble')!.textContent).to.equal('hello bob');
    expect(row(bob, id)!.querySelector('[data-state]')).to.equal(null);
    expect((await received).detail.text).to.equal('hello bob');
    // Announced to screen readers through a status line (the windowed log itself is not live).
    expect($(bob, '[role="status"].visually-hidden')!.textContent).to.equal('alice: hello bob');
    expect($(bob, '[role="log"]')!.getAttribute('aria-live')).to.equal('off');
    expect(row(alice, id)!.getAttribute('part')).to.contain('message-own');
  });

  it('shows a failed message with a retry button that sends it again', async () => {
    hub.failNext = 1;
    const alice = await mount(hub.join('alice'));
    const id = alice.send('will fail once')!;
    const retry = await waitFor(async () => (await alice.updateComplete, row(alice, id)!.querySelector<HTMLButtonElement>('button.retry')), 'retry button');
    expect(row(alice, id)!.textContent).to.contain('Not sent').and.contain('refused by the server');
    expect(await axeViolations(alice)).to.deep.equal([]);
    retry.click();
    await waitFor(async () => (await alice.updateComplete, row(alice, id)!.querySelector('[data-state="acked"]')), 'acked after retry');
    expect(row(alice, id)!.querySelector('button.retry')).to.equal(null);
  });

  it('keeps messages queued while reconnecting, with a banner, and sends them when back', async () => {
    const source = hub.join('alice');
    const alice = await mount(source);
    hub.setStatus('reconnecting');
    await alice.updateComplete;
    const banner = $(alice, '[part~="banner"]')!;
    expect(banner.getAttribute('role')).to.equal('alert');
    expect(banner.textContent).to.contain('Reconnecting');
    expect($(alice, '[part~="badge"]')!.dataset.status).to.equal('reconnecting');
    const id = alice.send('while offline')!;
    await settled(alice);
    expect(row(alice, id)!.querySelector('[data-state]')!.getAttribute('data-state')).to.equal('queued');
    hub.setStatus('connected');
    source.flush();
    await waitFor(async () => (await alice.updateComplete, row(alice, id)!.querySelector('[data-state="acked"]')), 'acked after reconnect');
    expect($(alice, '[part~="banner"]')).to.equal(null);
    const badge = $(alice, '[part~="badge"]')!;
    expect(badge.textContent!.replace(/\s+/g, ' ')).to.contain('Connected').and.contain('webtransport').and.contain('12 ms');
  });

  it('renders hostile text as text: no elements injected, only http(s) links, with safe rel and target', async () => {
    const hostile = [
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=2</script>',
      'javascript:window.__pwned=3',
      '<a href="javascript:window.__pwned=4">click</a>',
      'data:text/html,<script>window.__pwned=5</script>',
      '[x](javascript:alert(1)) <svg onload=alert(1)>',
      'safe: https://example.com/?q=<b>x</b>&r="1" and http://example.org/',
      '{{constructor.constructor("window.__pwned=6")()}} ${window.__pwned=7}',
    ];
    hub.seed(hostile.length, 'mallory', (i) => hostile[i]!);
    const el = await mount(hub.join('alice'));
    const root = el.shadowRoot!;
    expect(root.querySelectorAll('img, script, svg, iframe, object')).to.have.length(0);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    const bubbles = $$(el, '.bubble').map((b) => b.textContent);
    expect(bubbles).to.deep.equal(hostile);
    const anchors = $$<HTMLAnchorElement>(el, '.bubble a');
    expect(anchors.map((a) => a.href)).to.deep.equal(['https://example.com/?q=', 'http://example.org/']);
    for (const a of anchors) {
      expect(a.rel).to.equal('noopener noreferrer nofollow');
      expect(a.target).to.equal('_blank');
      expect(a.protocol).to.match(/^https?:$/);
    }
    // The link event is cancellable: cancelling keeps the browser from following the link.
    const prevent = (e: Event) => e.preventDefault();
    document.addEventListener('flare-chat-link-open', prevent, { once: true });
    const click = new MouseEvent('click', { bubbles: true, composed: true, cancelable: true });
    anchors[0]!.dispatchEvent(click);
    expect(click.defaultPrevented).to.equal(true);
  });

  it('sends on Enter, adds a line on Shift+Enter, ignores Enter while composing, and sends nothing blank', async () => {
    const source = hub.join('alice');
    const el = await mount(source);
    const sent: string[] = [];
    el.addEventListener('flare-chat-send', (e) => sent.push(e.detail.text));
    input(el).focus();
    await sendKeys({ type: 'first line' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'second line' });
    expect(input(el).value).to.equal('first line\nsecond line');
    expect(source.typingCalls[0]).to.equal(true); // typing was announced
    const composing = new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true });
    input(el).dispatchEvent(composing);
    expect(composing.defaultPrevented).to.equal(false);
    expect(sent).to.deep.equal([]);
    await sendKeys({ press: 'Enter' });
    expect(sent).to.deep.equal(['first line\nsecond line']);
    expect(input(el).value).to.equal('');
    expect(source.typingCalls.at(-1)).to.equal(false); // sending ends "typing"
    await sendKeys({ press: 'Enter' });
    await sendKeys({ type: '   ' });
    await sendKeys({ press: 'Enter' });
    expect(sent).to.have.length(1);
    await settled(el);
    expect($$(el, '.bubble').map((b) => b.textContent)).to.deep.equal(['first line\nsecond line']);

    // flare-chat-send is cancellable: a cancelled send leaves the room untouched.
    el.addEventListener('flare-chat-send', (e) => e.preventDefault(), { once: true });
    input(el).value = 'not sent';
    await sendKeys({ press: 'Enter' });
    expect(source.messages.get()).to.have.length(1);
  });

  it('loads history when scrolled to the top without moving what the reader sees', async () => {
    hub.seed(300);
    const source = hub.join('alice', { initial: 40, page: 60 });
    const el = await mount(source);
    const scroller = $(el, '[part~="messages"]')!;
    expect(scroller.scrollTop).to.be.greaterThan(0); // starts at the newest message
    expect(source.loadOlderCalls).to.equal(0);
    const firstId = source.messages.get()[0]!.id;
    scroller.scrollTop = 0;
    await waitFor(() => source.messages.get().length === 100, 'a page of older messages');
    await settled(el);
    // The message that was first is still where it was, now with older ones above it.
    const anchor = row(el, firstId)!;
    const offset = anchor.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    expect(Math.abs(offset - scroller.querySelector('.history-edge')!.getBoundingClientRect().height)).to.be.lessThan(60);
    expect(scroller.scrollTop).to.be.greaterThan(1000);
    // Scrolling up through all of it reaches the start of the conversation.
    for (let i = 0; i < 20 && source.hasMore.get(); i++) {
      scroller.scrollTop = 0;
      await waitFor(() => !el.shadowRoot!.querySelector('[aria-busy="true"]'), 'load finished');
      await settled(el);
    }
    expect(source.messages.get()).to.have.length(300);
    scroller.scrollTop = 0;
    await settled(el);
    expect(scroller.querySelector('.history-edge')!.textContent).to.contain('beginning of the conversation');
    expect(row(el, 'seed-0')).to.not.equal(null);
  });

  it('windows and loads history when the source arrives after the first render', async () => {
    hub.seed(300);
    const el = await mount(hub.join('alice'), (e) => (e.source = null));
    expect($(el, '[part~="messages"]')).to.equal(null);
    const source = hub.join('bob', { initial: 40, page: 60 });
    el.source = source;
    await settled(el);
    const scroller = $(el, '[part~="messages"]')!;
    expect(scroller.scrollTop).to.be.greaterThan(0);
    scroller.scrollTop = 0;
    await waitFor(() => source.messages.get().length === 100, 'older messages loaded');
  });

  it('keeps the DOM small with 5,000 messages and renders the rows at the scroll position', async () => {
    hub.seed(5000, 'dave', (i) => `message number ${i}${i % 7 === 0 ? '\nwith a second line' : ''}`);
    const el = await mount(hub.join('alice', { initial: 5000 }));
    const scroller = $(el, '[part~="messages"]')!;
    const articles = () => $$(el, 'article');
    expect(articles().length).to.be.greaterThan(5).and.lessThan(120);
    expect(el.shadowRoot!.querySelectorAll('*').length).to.be.lessThan(1500);
    expect(articles().at(-1)!.dataset.id).to.equal('seed-4999');
    expect(articles().at(-1)!.getAttribute('aria-posinset')).to.equal('5000');

    // Jump to the middle: the rows there get rendered, still a small window.
    scroller.scrollTop = scroller.scrollHeight / 2;
    await settled(el);
    const visible = articles().filter((a) => {
      const r = a.getBoundingClientRect();
      const s = scroller.getBoundingClientRect();
      return r.bottom > s.top && r.top < s.bottom;
    });
    expect(visible.length).to.be.greaterThan(0);
    const middle = Number(visible[0]!.dataset.id!.slice('seed-'.length));
    expect(middle).to.be.within(1500, 3500);
    expect(articles().length).to.be.lessThan(120);
    expect(el.list.atBottom).to.equal(false);

    // A new message while scrolled up is counted, and "jump to latest" goes back to the bottom.
    hub.join('erin').send('new while you read');
    await waitFor(async () => (await el.updateComplete, $(el, 'button.jump')?.textContent?.includes('1 new messages')), 'new messages count');
    $(el, 'button.jump')!.click();
    await settled(el);
    expect(el.list.atBottom).to.equal(true);
    expect(articles().at(-1)!.querySelector('.bubble')!.textContent).to.equal('new while you read');
  });

  it('shows presence, who is typing, and passes the accessibility check (light and dark)', async () => {
    hub.seed(3);
    const alice = await mount(hub.join('alice'));
    hub.join('bob').setTyping(true);
    hub.join('carol');
    await settled(alice);
    const presence = $$(alice, '[part~="presence"] li').map((li) => li.dataset.user);
    expect(presence).to.deep.equal(['alice', 'bob', 'carol']);
    expect($(alice, '[part~="typing"]')!.textContent).to.equal('bob is typing…');
    hub.sources.get('carol')!.setTyping(true);
    await alice.updateComplete;
    expect($(alice, '[part~="typing"]')!.textContent).to.equal('bob and carol are typing…');
    expect(await axeViolations(alice)).to.deep.equal([]);
    expect(unnamedControls(alice)).to.deep.equal([]);
    alice.theme = 'dark';
    await settled(alice);
    expect(await axeViolations(alice)).to.deep.equal([]);
  });

  it('speaks Simplified Chinese from the page language, with per-element overrides', async () => {
    document.documentElement.lang = 'zh-CN';
    const el = await mount(hub.join('alice'), (e) => (e.strings = { 'chat.send': '发出' }));
    expect($(el, 'button[type="submit"]')!.textContent!.trim()).to.equal('发出');
    expect(input(el).placeholder).to.contain('Enter 发送');
    expect($(el, '[part~="badge"]')!.textContent).to.contain('已连接');
  });
});
