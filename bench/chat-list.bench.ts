/**
 * <flare-chat>'s windowed message list against the plain way (Lit `repeat` over every message, rows
 * with `content-visibility: auto`), on the same message template, data and styles:
 * - `chat.mount.<n>`: time from putting a room of n messages on the page to a settled list (ms);
 *   `extra.domNodes` counts the nodes in the shadow root afterwards.
 * - `chat.append.<n>`: time to render one new message at the bottom of a list of n (ms per message).
 * - `chat.jump.<n>` (windowed only): time to render the rows after jumping to a random scroll position
 *   (includes the frame until the scroll event arrives).
 * Rounds interleave the contenders; values are medians.
 */
import { html, LitElement } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { signal } from '@lit-labs/signals';
import { SignalWatcher } from '@lit-labs/signals';
import '../src/elements/flare-chat/define.ts';
import type { FlareChat } from '../src/elements/flare-chat/flare-chat.ts';
import type { ChatMessage, ChatSource, DeliveryState, PresenceMember } from '../src/elements/flare-chat/chat-source.ts';
import { renderMessage } from '../src/elements/flare-chat/message-view.ts';
import themeStyles from '../src/elements/theme.styles.ts';
import chatStyles from '../src/elements/flare-chat/flare-chat.styles.ts';
import { css } from 'lit';
import { rng, summarize, type BenchContext, type BenchRow } from './harness.ts';

const WORDS = 'the quick brown fox jumps over a lazy dog while flare keeps every message in order across reconnects'.split(' ');

function corpus(n: number): ChatMessage[] {
  const r = rng(7);
  const out: ChatMessage[] = [];
  for (let i = 0; i < n; i++) {
    const len = 3 + Math.floor(r() * 30);
    const text = Array.from({ length: len }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ') + (i % 11 === 0 ? ' https://example.com/x' : '');
    out.push({ id: `m${i}`, from: i % 3 === 0 ? 'me' : `user${i % 5}`, text, at: 1_700_000_000_000 + i * 30_000 });
  }
  return out;
}

function source(messages: ChatMessage[]): ChatSource & { messages: ReturnType<typeof signal<readonly ChatMessage[]>> } {
  return {
    selfId: 'me',
    messages: signal<readonly ChatMessage[]>(messages),
    presence: signal<readonly PresenceMember[]>([]),
    typing: signal<readonly string[]>([]),
    status: signal('connected' as const),
    protocol: signal<string | null>('webtransport'),
    rttMs: signal<number | null>(10),
    hasMore: signal(false),
    send: () => ({ id: '', delivery: signal<DeliveryState>('queued') }),
    retry: () => {},
    loadOlder: async () => 0,
    setTyping: () => {},
  };
}

/** The anchor: every message in the DOM, off-screen rows skipped by content-visibility. */
class PlainChatList extends SignalWatcher(LitElement) {
  static override styles = [themeStyles, chatStyles, css`.vrow { content-visibility: auto; contain-intrinsic-size: auto 58px; }`];
  source: ChatSource | null = null;
  protected override render() {
    const messages = this.source?.messages.get() ?? [];
    const ctx = { selfId: 'me', locale: 'en', t: (k: string) => k, position: 0, setSize: messages.length, retry: () => {}, openLink: () => true };
    return html`<div class="base"><div class="scroller" role="log">${repeat(
      messages,
      (m) => m.id,
      (m, i) => html`<div class="vrow">${renderMessage(m, messages[i - 1], { ...ctx, position: i + 1 })}</div>`,
    )}</div></div>`;
  }
  protected override updated(): void {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller')!;
    scroller.scrollTop = scroller.scrollHeight;
  }
}
customElements.define('plain-chat-list', PlainChatList);

type Host = HTMLElement & { updateComplete: Promise<boolean>; source: ChatSource | null };
const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));

/** Waits until the element has no pending update, with layout done (the windowed list re-measures in passes). */
async function settle(el: Host): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await el.updateComplete;
    void (el.shadowRoot!.querySelector('.scroller') as HTMLElement).scrollHeight; // force layout
    if (!(el as unknown as { isUpdatePending: boolean }).isUpdatePending) return;
  }
}

async function mount(tag: string, messages: ChatMessage[]): Promise<{ el: Host; ms: number; src: ReturnType<typeof source> }> {
  const src = source(messages);
  const el = document.createElement(tag) as Host;
  el.style.cssText = 'display:block;width:720px;height:600px;--flare-chat-height:600px';
  el.source = src;
  if (tag === 'flare-chat') (el as unknown as FlareChat).room = 'bench';
  const t0 = performance.now();
  document.body.append(el);
  await settle(el);
  return { el, ms: performance.now() - t0, src };
}

const CONTENDERS = [
  { name: 'flare-chat-windowed', tag: 'flare-chat' },
  { name: 'lit-repeat-content-visibility', tag: 'plain-chat-list' },
];

export default async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rounds = ctx.quick ? 2 : 5;
  const sizes = ctx.quick ? [1000, 10000] : [1000, 10000, 50000];
  const rows: BenchRow[] = [];
  for (const n of sizes) {
    const messages = corpus(n);
    const mountMs = new Map<string, number[]>();
    const appendMs = new Map<string, number[]>();
    const nodes = new Map<string, number>();
    const jumps: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const c of CONTENDERS) {
        const { el, ms, src } = await mount(c.tag, messages);
        (mountMs.get(c.name) ?? mountMs.set(c.name, []).get(c.name)!).push(ms);
        nodes.set(c.name, el.shadowRoot!.querySelectorAll('*').length);
        const appends = 20;
        const t0 = performance.now();
        for (let i = 0; i < appends; i++) {
          src.messages.set([...src.messages.get(), { id: `new${i}`, from: 'user1', text: `new message ${i}`, at: Date.now() }]);
          await settle(el);
        }
        (appendMs.get(c.name) ?? appendMs.set(c.name, []).get(c.name)!).push((performance.now() - t0) / appends);
        if (c.tag === 'flare-chat') {
          const scroller = el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
          const pick = rng(r + 1);
          const t1 = performance.now();
          for (let i = 0; i < 10; i++) {
            scroller.scrollTop = pick() * (scroller.scrollHeight - scroller.clientHeight);
            await frame();
            await settle(el);
          }
          jumps.push((performance.now() - t1) / 10);
        }
        el.remove();
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    for (const c of CONTENDERS) {
      rows.push({ case: `chat.mount.${n}`, contender: c.name, metric: 'time', unit: 'ms', better: 'lower', ...summarize(mountMs.get(c.name)!), extra: { domNodes: nodes.get(c.name) } });
      rows.push({ case: `chat.append.${n}`, contender: c.name, metric: 'time', unit: 'ms/message', better: 'lower', ...summarize(appendMs.get(c.name)!) });
    }
    rows.push({ case: `chat.jump.${n}`, contender: 'flare-chat-windowed', metric: 'time', unit: 'ms/jump', better: 'lower', ...summarize(jumps) });
  }
  return rows;
}
