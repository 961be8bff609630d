/**
 * The second user's page of the two-page tests: a real separate tab (opened by scripts/wtr-pages.mjs)
 * with its own FlareClient and connection worker, whose <flare-call> and <flare-chat> the test drives
 * through `window.__flarePeer` (test/pages/pages.ts is the test page's side). Elements are mounted
 * either script-tag style (attributes, client made by the registered factory) or npm style (a
 * FlareClient given as a property).
 */
import '../../src/elements/flare-call/define.ts';
import '../../src/elements/flare-chat/define.ts';
import type { FlareCall } from '../../src/elements/flare-call/flare-call.ts';
import type { FlareChat } from '../../src/elements/flare-chat/flare-chat.ts';
import { callControllerFromClient } from '../../src/elements/flare-call/client-call-controller.ts';
import { FlareClient } from '../../src/sdk/client.ts';
import { setClientFactory } from '../../src/elements/client-factory.ts';
import type { TimeoutKind } from '../../src/sdk/call/call-timeout-manager.ts';
import * as probe from './probes.ts';

interface Server {
  serverUrl: string | null;
  certHash: string | null;
}

let server: Server = { serverUrl: null, certHash: null };
let call: FlareCall | null = null;
let chat: FlareChat | null = null;
const clients: FlareClient[] = [];
/** Clients made for elements from their attributes (closed by the elements themselves). */
const attributeClients: FlareClient[] = [];
/** Texts received by the shared client (`connectShared`). */
const sharedTexts: string[] = [];
/** `detail` of every `flare-call-incoming` seen here. */
const incoming: Array<{ peer: string; callId: string }> = [];

function need<T>(el: T | null, what: string): T {
  if (!el) throw new Error(`no ${what} mounted on the peer page`);
  return el;
}

function place<T extends Element>(markup: string): T {
  const holder = document.createElement('div');
  holder.innerHTML = markup;
  const el = holder.firstElementChild as T;
  el.setAttribute('style', 'display:block;width:560px');
  document.body.append(el);
  return el;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function client(user: string): FlareClient {
  const c = new FlareClient({ url: server.serverUrl!, certHash: server.certHash, persistOutbox: false, userId: user });
  clients.push(c);
  return c;
}

/** Waits until the client made from the attributes of `user`'s element is connected. */
async function connected(user: string): Promise<void> {
  await probe.until(() => attributeClients.some((c) => c.userId === user && c.status === 'connected'), `${user}'s connection`);
}

function watchIncoming(el: FlareCall): void {
  el.addEventListener('flare-call-incoming', (e) => {
    const { peer, callId } = (e as CustomEvent<{ peer: string; callId: string }>).detail;
    incoming.push({ peer, callId });
  });
}

const api = {
  /**
   * The test server, and the factory script-tag elements get their clients from: what the SDK's
   * `registerClientFactory` installs (a FlareClient per element, connecting at once), except that
   * the clients are kept here so the page can wait until they are connected.
   */
  setup(s: Server): void {
    server = s;
    setClientFactory(({ serverUrl, user, token }) => {
      const c = new FlareClient({ url: serverUrl, userId: user, token: token || undefined, certHash: s.certHash, persistOutbox: false });
      attributeClients.push(c);
      c.connect().catch(() => {});
      return c;
    });
  },

  /** Whether this tab is shown or in the background (for the report, not asserted). */
  visibility(): string {
    return document.visibilityState;
  },

  // ------------------------------------------------------------ <flare-call>

  /** `<flare-call server-url user>` as a script-tag page writes it; resolves once connected. */
  async mountCallTag(user: string): Promise<void> {
    call = place<FlareCall>(`<flare-call server-url="${attr(server.serverUrl!)}" user="${attr(user)}"></flare-call>`);
    watchIncoming(call);
    await probe.waitCallStatus(call, 'idle');
    await connected(user);
  },

  /** `<flare-call>` given a connected FlareClient (or a controller over it with custom timeouts). */
  async mountCallClient(user: string, options: { timeouts?: Partial<Record<TimeoutKind, number>> } = {}): Promise<void> {
    const c = client(user);
    await c.connect();
    const el = document.createElement('flare-call');
    if (options.timeouts) el.controller = callControllerFromClient(c, { timeouts: options.timeouts });
    else el.client = c;
    el.style.width = '560px';
    document.body.append(el);
    call = el;
    watchIncoming(el);
    await probe.waitCallStatus(el, 'idle');
  },

  /** Calls `peer` by typing into the dial field and pressing the Call button. */
  async dial(peer: string): Promise<void> {
    const el = need(call, '<flare-call>');
    const input = await probe.until(async () => (await el.updateComplete, el.shadowRoot!.querySelector<HTMLInputElement>('#peer')), 'the dial field');
    input.value = peer;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await el.updateComplete;
    await probe.clickCallButton(el, 'call');
  },

  click: (part: string) => probe.clickCallButton(need(call, '<flare-call>'), part),
  callStatus: () => probe.callStatus(need(call, '<flare-call>')),
  describeCall: () => probe.describeCall(need(call, '<flare-call>')),
  waitCallStatus: (status: string, timeoutMs?: number) => probe.waitCallStatus(need(call, '<flare-call>'), status, timeoutMs),
  incomingText: () => probe.incomingText(need(call, '<flare-call>')),
  incomingEvents: () => incoming.slice(),
  callOutcome: (timeoutMs?: number) => probe.callOutcome(need(call, '<flare-call>'), timeoutMs),
  remoteFrames: (peer: string) => probe.remoteFrames(need(call, '<flare-call>'), peer),
  hasVideo: () => probe.hasVideo(need(call, '<flare-call>')),

  // ------------------------------------------------------------ <flare-chat>

  /** `<flare-chat server-url room user>` as a script-tag page writes it. */
  async mountChatTag(user: string, room: string): Promise<void> {
    chat = place<FlareChat>(`<flare-chat server-url="${attr(server.serverUrl!)}" room="${attr(room)}" user="${attr(user)}"></flare-chat>`);
    await probe.waitChatConnected(chat);
  },

  /** `<flare-chat>` given a connected FlareClient and a room. */
  async mountChatClient(user: string, room: string): Promise<void> {
    const c = client(user);
    await c.connect();
    const el = document.createElement('flare-chat');
    el.client = c;
    el.room = room;
    el.style.width = '560px';
    document.body.append(el);
    chat = el;
    await probe.waitChatConnected(el);
  },

  sendAndTrack: (text: string) => probe.sendAndTrack(need(chat, '<flare-chat>'), text),
  bubbles: () => probe.bubbles(need(chat, '<flare-chat>')),
  waitBubble: (text: string) => probe.waitBubble(need(chat, '<flare-chat>'), text),
  presence: () => probe.presence(need(chat, '<flare-chat>')),
  waitPresence: (users: string[]) => probe.waitPresence(need(chat, '<flare-chat>'), users),

  // ------------------------------------------------------------ shared connection

  /** A `shared: true` client for `user`, connected; its connection id and whether it is shared. */
  async connectShared(user: string): Promise<{ connectionId: string | null; shared: boolean }> {
    const c = new FlareClient({ url: server.serverUrl!, certHash: server.certHash, persistOutbox: false, userId: user, shared: true });
    clients.push(c);
    c.on('messageReceived', ({ message }) => sharedTexts.push(message.text()));
    await c.connect();
    return { connectionId: c.state.connectionId.get(), shared: c.shared };
  },

  /** Texts the shared client of this page received. */
  sharedReceived: () => sharedTexts.slice(),

  /** Removes the elements (their own clients close with them) and closes the clients made here. */
  async unmount(): Promise<void> {
    call?.remove();
    chat?.remove();
    call = chat = null;
    incoming.length = 0;
    sharedTexts.length = 0;
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  },
};

export type PeerApi = typeof api;
(window as unknown as { __flarePeer: PeerApi }).__flarePeer = api;
