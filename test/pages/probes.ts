/**
 * What the two-page tests read from and do to a <flare-call> or <flare-chat>, shared by the test page
 * and the peer page (test/pages/peer.ts) so both sides are observed the same way. Everything returned
 * is plain data (it crosses pages as JSON). Waits are bounded and name what they waited for.
 */
import type { FlareCall } from '../../src/elements/flare-call/flare-call.ts';
import type { FlareChat } from '../../src/elements/flare-chat/flare-chat.ts';
import type { DeliveryState } from '../../src/elements/flare-chat/chat-source.ts';
import type { WebRtcEngine } from '../../src/sdk/call/webrtc-engine.ts';
import { Signal } from '@lit-labs/signals';

/** Polls `probe` until it is truthy; `what` (or what it returns, at the timeout) names it in the error. */
export async function until<T>(probe: () => T | Promise<T>, what: string | (() => string), timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const shadow = <E extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot?.querySelector<E>(selector) ?? null;
const flat = (el: Element) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------- <flare-call>

/** The call status the element renders from (`idle` when it has no controller yet). */
export function callStatus(el: FlareCall): string {
  return el.call?.state.status.get() ?? 'none';
}

/** Status, last transition and participants' connections, for error messages. */
export function describeCall(el: FlareCall): string {
  const state = el.call?.state;
  if (!state) return 'no controller';
  const last = state.lastTransition.get();
  const parts = [...state.participants.get()].map(([id, p]) => `${id}: ${p.connection ?? '?'}`);
  return `${state.status.get()}${last ? ` (${last.code ?? ''} ${last.reason ?? ''})` : ''}; participants ${parts.join(', ') || 'none'}`;
}

/** Waits until the call reaches `status`. */
export async function waitCallStatus(el: FlareCall, status: string, timeoutMs = 15_000): Promise<string> {
  await until(async () => (await el.updateComplete, callStatus(el) === status), () => `${el.user || 'call'} to reach ${status} (is ${describeCall(el)})`, timeoutMs);
  return status;
}

/** Clicks the rendered button `part` (accept, decline, hangup, call …) as a user would. */
export async function clickCallButton(el: FlareCall, part: string): Promise<void> {
  const b = await until(async () => (await el.updateComplete, shadow<HTMLButtonElement>(el, `button[part~="${part}"]`)), () => `button ${part} in <flare-call> (${flat(el)})`);
  b.click();
}

/** The incoming-call panel's text, once it shows. */
export async function incomingText(el: FlareCall): Promise<string> {
  const panel = await until(async () => (await el.updateComplete, shadow(el, '[part~="incoming"]')), 'the incoming-call panel');
  return panel.textContent!.replace(/\s+/g, ' ').trim();
}

export interface Outcome {
  code: string;
  status: string;
  text: string;
}

/** How the last call ended, as the element shows it (waits for the outcome line). */
export async function callOutcome(el: FlareCall, timeoutMs = 15_000): Promise<Outcome> {
  const p = await until(async () => (await el.updateComplete, shadow(el, '[part~="outcome"]')), () => `the call outcome (${flat(el)})`, timeoutMs);
  return { code: p.dataset.code ?? '', status: p.dataset.status ?? '', text: p.textContent!.trim() };
}

export interface FrameReport {
  width: number;
  height: number;
  /** Frames the remote <video> element has decoded (getVideoPlaybackQuality). */
  elementFrames: number;
  /** framesDecoded of the inbound video RTP stream from `peer`, first reading and a later, larger one. */
  decodedFirst: number;
  decodedLater: number;
}

async function framesDecoded(pc: RTCPeerConnection): Promise<number> {
  let n = 0;
  (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0;
  });
  return n;
}

/**
 * Waits until the remote tile of `peer` plays decoded video: the element has dimensions and decoded
 * frames, and the peer connection's framesDecoded keeps growing (video flows, not one stale frame).
 */
export async function remoteFrames(el: FlareCall, peer: string, timeoutMs = 20_000): Promise<FrameReport> {
  const video = await until(async () => (await el.updateComplete, shadow<HTMLVideoElement>(el, `[data-participant="${peer}"] video`)), `${peer}'s video tile`, timeoutMs);
  // Still in the call and on the stage: a video whose tracks ended shows a last 2x1 frame.
  const live = () => video.isConnected && callStatus(el) === 'in-call';
  await until(
    () => live() && video.videoWidth > 2 && video.getVideoPlaybackQuality().totalVideoFrames > 0,
    () => `decoded frames in ${peer}'s tile (call ${describeCall(el)}, video ${video.videoWidth}x${video.videoHeight}, ${video.getVideoPlaybackQuality().totalVideoFrames} frames, ready ${video.readyState}, paused ${video.paused})`,
    timeoutMs,
  );
  const pc = (el.call!.engine as WebRtcEngine | null)?.peerConnection(peer);
  if (!pc) throw new Error(`no peer connection to ${peer} (call ${describeCall(el)})`);
  const decodedFirst = await until(() => framesDecoded(pc), `framesDecoded from ${peer}`, timeoutMs);
  const decodedLater = await until(async () => {
    const n = await framesDecoded(pc);
    return n > decodedFirst ? n : 0;
  }, () => `more frames decoded from ${peer} (call ${describeCall(el)})`, timeoutMs);
  if (!live()) throw new Error(`the call with ${peer} ended while frames were counted (${describeCall(el)})`);
  return { width: video.videoWidth, height: video.videoHeight, elementFrames: video.getVideoPlaybackQuality().totalVideoFrames, decodedFirst, decodedLater };
}

/** Whether any <video> is still rendered (none after a call ended). */
export function hasVideo(el: FlareCall): boolean {
  return !!shadow(el, 'video');
}

// ---------------------------------------------------------------- <flare-chat>

export interface Bubble {
  id: string;
  own: boolean;
  /** The author line as rendered (absent on grouped rows). */
  author: string | null;
  /** The sender's user id (from the element's message list). */
  from: string;
  text: string;
  /** The rendered delivery state of an own message (`data-state`). */
  state: string | null;
}

/** The messages <flare-chat> renders, in order. */
export async function bubbles(el: FlareChat): Promise<Bubble[]> {
  await el.updateComplete;
  const byId = new Map((el.chat?.messages.get() ?? []).map((m) => [m.id, m]));
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('article[data-id]')].map((a) => ({
    id: a.dataset.id!,
    own: a.classList.contains('own'),
    author: a.querySelector('[part~="author"]')?.textContent?.trim() ?? null,
    from: byId.get(a.dataset.id!)?.from ?? '',
    text: a.querySelector('.bubble')!.textContent!.trim(),
    state: a.querySelector<HTMLElement>('[data-state]')?.dataset.state ?? null,
  }));
}

/** Waits until a message with `text` is rendered and returns it. */
export async function waitBubble(el: FlareChat, text: string, timeoutMs = 15_000): Promise<Bubble> {
  return until(async () => (await bubbles(el)).find((b) => b.text === text), `message "${text}" in <flare-chat>`, timeoutMs);
}

/** User ids in the presence list. */
export async function presence(el: FlareChat): Promise<string[]> {
  await el.updateComplete;
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="presence"] li')].map((li) => li.dataset.user!);
}

/** Waits until the presence list shows all of `users`. */
export async function waitPresence(el: FlareChat, users: string[], timeoutMs = 15_000): Promise<string[]> {
  return until(async () => {
    const now = await presence(el);
    return users.every((u) => now.includes(u)) ? now : null;
  }, () => `presence of ${users.join(', ')} (shown: ${[...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="presence"] li')].map((li) => li.dataset.user).join(', ') || 'nobody'}; source: ${JSON.stringify(el.chat?.presence.get())})`, timeoutMs);
}

/** Waits until the chat's connection badge says connected. */
export async function waitChatConnected(el: FlareChat, timeoutMs = 15_000): Promise<void> {
  await until(async () => (await el.updateComplete, shadow(el, '[part~="badge"]')?.dataset.status === 'connected'), 'chat connected', timeoutMs);
}

/**
 * Sends `text` through the composer (types it, presses Enter) and records every delivery state the
 * message passes through, watched on its signal (not sampled), until it settles (acked or failed).
 */
export async function sendAndTrack(el: FlareChat, text: string, timeoutMs = 15_000): Promise<{ id: string; states: DeliveryState[]; rendered: string | null }> {
  const input = await until(async () => (await el.updateComplete, shadow<HTMLTextAreaElement>(el, '#input')), 'the composer');
  const before = new Set((el.chat?.messages.get() ?? []).map((m) => m.id));
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
  const message = el.chat?.messages.get().find((m) => !before.has(m.id) && m.text === text);
  if (!message?.delivery) throw new Error(`Enter did not send "${text}" (composer: "${input.value}")`);
  const delivery = message.delivery;
  const states: DeliveryState[] = [delivery.get()];
  const settled = new Promise<void>((resolve) => {
    const watcher = new Signal.subtle.Watcher(() => {
      queueMicrotask(() => {
        const s = delivery.get();
        if (s !== states[states.length - 1]) states.push(s);
        watcher.watch();
        if (s === 'acked' || s === 'failed') {
          watcher.unwatch(delivery);
          resolve();
        }
      });
    });
    watcher.watch(delivery);
    delivery.get();
    if (states[0] === 'acked' || states[0] === 'failed') {
      watcher.unwatch(delivery);
      resolve();
    }
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([settled, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`"${text}" did not settle: ${states.join(' -> ')}`)), timeoutMs)))]);
  clearTimeout(timer);
  const rendered = await until(async () => (await bubbles(el)).find((b) => b.id === message.id)?.state, 'the rendered delivery state');
  return { id: message.id, states, rendered };
}
