/**
 * The ChatSource of one room over a FlareClient: the room's messages (text messages only) with
 * delivery states from the SDK's send results, presence from the room, connection status, protocol
 * and RTT from the client's signals, history pages through `room.loadHistory`, and typing notices.
 *
 * Typing notices are best-effort direct messages of type `flare.typing` to the users present, so they
 * never enter the room's history; a notice expires after a few seconds unless repeated, and a text
 * message from the same user clears it. The SDK removes a failed message from the room's list; the
 * source keeps it (with its error) so the element can offer to send it again.
 */
import { computed, signal, Signal } from '@lit-labs/signals';
import type { FlareClient } from '../../sdk/client.ts';
import type { SendResult } from '../../sdk/delivery.ts';
import type { ReceivedMessage } from '../../sdk/message.ts';
import type { Room } from '../../sdk/room.ts';
import type { ChatConnectionStatus, ChatMessage, ChatSendResult, ChatSource, DeliveryState, PresenceMember } from './chat-source.ts';

/** Message type of typing notices. */
export const TYPING_TYPE = 'flare.typing';
/** How long a typing notice lasts without a repeat. */
const TYPING_TTL_MS = 5000;
/** Repeat notices at most this often while the user keeps typing. */
const TYPING_REPEAT_MS = 2500;

/** Options of {@link chatSourceFromClient}. */
export interface ClientChatOptions {
  room: string;
  /** The local user id, when the client does not know it. */
  user?: string;
  /** Messages per history page (default 50). */
  pageSize?: number;
}

interface Failed {
  message: ChatMessage;
  text: string;
}

/** A ChatSource for `options.room` over a FlareClient (anything else gives null). */
export function chatSourceFromClient(client: unknown, options: ClientChatOptions): ChatSource | null {
  const c = client as Partial<FlareClient> | null;
  if (!c || typeof c.room !== 'function' || typeof c.sendText !== 'function' || !c.state) return null;
  return new ClientChatSource(c as FlareClient, options);
}

/** See the module comment. */
export class ClientChatSource implements ChatSource {
  readonly selfId: string;
  readonly room: Room;
  readonly #client: FlareClient;
  readonly #o: ClientChatOptions;
  readonly #results = signal<ReadonlyMap<string, SendResult>>(new Map());
  readonly #failed = signal<ReadonlyMap<string, Failed>>(new Map());
  readonly #typing = signal<ReadonlyMap<string, number>>(new Map());
  readonly #hasMore = signal(true);
  readonly #views = new WeakMap<ReceivedMessage, ChatMessage>();
  /** Texts of this source's sends until they are ACKed (a failed one is shown again from here). */
  readonly #texts = new Map<string, string>();
  readonly #off: Array<() => void> = [];
  #typingSentAt = 0;
  #typingTimer: ReturnType<typeof setTimeout> | null = null;
  #joined: Promise<void>;
  #disposed = false;

  readonly messages: Signal.Computed<readonly ChatMessage[]> = computed(() => {
    const list = this.room.messages.get().filter((m) => m.type === 'text').map((m) => this.#view(m));
    const failed = this.#failed.get();
    return failed.size ? [...list, ...[...failed.values()].map((f) => f.message)] : list;
  });
  readonly presence: Signal.Computed<readonly PresenceMember[]> = computed(() => this.room.presence.get());
  readonly typing = computed(() => [...this.#typing.get().keys()]);
  readonly status: Signal.Computed<ChatConnectionStatus> = computed(() => this.#client.state.status.get());
  readonly protocol = computed(() => this.#client.state.protocol.get());
  /** The last heartbeat's round trip, else the scorer's smoothed RTT of the transport in use. */
  readonly rttMs = computed(() => {
    const state = this.#client.state;
    const protocol = state.protocol.get();
    return state.rtt.get() ?? (protocol ? (state.metrics.get()[protocol]?.rttMs ?? null) : null);
  });
  readonly hasMore = computed(() => this.#hasMore.get());

  constructor(client: FlareClient, options: ClientChatOptions) {
    this.#client = client;
    this.#o = options;
    this.selfId = client.userId ?? options.user ?? '';
    this.room = client.room(options.room);
    this.#off.push(
      client.onMessageType(TYPING_TYPE, (m) => this.#onTyping(m)),
      client.on('messageReceived', ({ message }) => {
        if (message.room === options.room && message.from && message.type === 'text') this.#setTyping(message.from, false);
      }),
      client.on('messageFailed', ({ id, error }) => this.#onFailed(id, error.message)),
    );
    this.#joined = this.#join();
  }

  send(text: string): ChatSendResult {
    return this.#send(text);
  }

  /** `again`: the id of a failed message sent again (the server keeps one copy of it). */
  #send(text: string, again?: string): ChatSendResult {
    // The SDK adds an own room message synchronously inside sendText; its id is the send's id.
    const before = this.room.messages.get().at(-1);
    const sending = this.#client.sendText({ room: this.#o.room }, text, again ? { id: again } : undefined);
    const added = this.room.messages.get().at(-1);
    const id = added && added !== before && added.own ? added.id : `local-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    this.#texts.set(id, text);
    sending.then(
      (result) => {
        this.#results.set(new Map(this.#results.get()).set(result.id, result));
        result.delivered.then(() => this.#texts.delete(id), () => {});
      },
      (error: Error) => this.#onFailed(id, error.message),
    );
    return { id, delivery: computed(() => this.#deliveryOf(id, added?.id === id ? added : undefined)) };
  }

  retry(id: string): void {
    const failed = this.#failed.get().get(id);
    if (!failed) return;
    const next = new Map(this.#failed.get());
    next.delete(id);
    this.#failed.set(next);
    this.#texts.delete(id);
    this.#send(failed.text, id);
  }

  async loadOlder(): Promise<number> {
    await this.#joined;
    return this.#loadPage();
  }

  async #loadPage(): Promise<number> {
    const page = this.#o.pageSize ?? 50;
    const loaded = await this.room.loadHistory({ limit: page });
    const oldest = this.room.messages.get().find((m) => m.seq > 0)?.seq ?? 0;
    this.#hasMore.set(loaded.length >= page && oldest > 1);
    return loaded.length;
  }

  setTyping(active: boolean): void {
    const now = Date.now();
    if (active && now - this.#typingSentAt < TYPING_REPEAT_MS) return;
    if (!active && now - this.#typingSentAt > TYPING_TTL_MS) return; // nobody shows us typing any more
    this.#typingSentAt = active ? now : 0;
    const others = new Set(this.room.presence.get().map((m) => m.userId).filter((u) => u && u !== this.selfId));
    for (const user of others) {
      this.#client.sendMessage({ user }, { type: TYPING_TYPE, data: { room: this.#o.room, typing: active } }, { reliable: false }).catch(() => {
        // Best effort: a lost typing notice only delays the indicator.
      });
    }
  }

  reconnect(): void {
    void this.#client.connect().catch(() => {});
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const off of this.#off.splice(0)) off();
    if (this.#typingTimer) clearTimeout(this.#typingTimer);
  }

  async #join(): Promise<void> {
    try {
      // A client made from attributes is still connecting here, and requests fail while it is: a
      // join sent now would fail, and the worker's own rejoin on connect brings no presence list
      // (not even the user's own entry) nor the first history page.
      await this.#connected();
      if (this.#disposed) return;
      if (!this.room.joined.get()) await this.room.join();
      if (this.#disposed) return;
      if (this.room.messages.get().every((m) => m.type !== 'text')) await this.#loadPage();
    } catch {
      // Not connected yet or refused: the status signal says so; the worker rejoins tracked rooms.
    }
  }

  /** Resolves once the client is connected (never, when it is disposed first). */
  #connected(): Promise<void> {
    if (this.#client.state.status.get() === 'connected') return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.#client.on('state', ({ to }) => {
        if (to !== 'connected') return;
        off();
        resolve();
      });
      this.#off.push(off);
    });
  }

  #view(m: ReceivedMessage): ChatMessage {
    let view = this.#views.get(m);
    if (!view) {
      view = { id: m.id, from: m.from ?? this.selfId, text: m.text(), at: m.timestamp, history: m.history };
      if (m.own) view.delivery = computed(() => this.#deliveryOf(m.id, m));
      this.#views.set(m, view);
    }
    return view;
  }

  /** The SDK's state once the send resolved; before that, what the room shows (seq from the ACK). */
  #deliveryOf(id: string, own: ReceivedMessage | undefined): DeliveryState {
    if (this.#failed.get().has(id)) return 'failed';
    const result = this.#results.get().get(id);
    if (result) return result.state.get();
    const current = this.room.messages.get().find((m) => m.id === id) ?? own;
    return current && current.seq > 0 ? 'acked' : 'queued';
  }

  #onFailed(id: string, reason: string): void {
    const text = this.#texts.get(id);
    if (text === undefined || this.#failed.get().has(id)) return; // another room's message, or known
    const message: ChatMessage = { id, from: this.selfId, text, at: Date.now(), delivery: signal<DeliveryState>('failed'), error: signal<string | null>(reason) };
    this.#failed.set(new Map(this.#failed.get()).set(id, { message, text }));
  }

  #onTyping(m: ReceivedMessage): void {
    if (m.history || !m.from || m.from === this.selfId) return;
    let data: { room?: unknown; typing?: unknown };
    try {
      data = m.json();
    } catch {
      return;
    }
    if (data?.room === this.#o.room) this.#setTyping(m.from, data.typing !== false);
  }

  #setTyping(user: string, active: boolean): void {
    const map = new Map(this.#typing.get());
    if (active) map.set(user, Date.now() + TYPING_TTL_MS);
    else if (!map.delete(user)) return;
    this.#typing.set(map);
    this.#scheduleExpiry();
  }

  #scheduleExpiry(): void {
    if (this.#typingTimer) clearTimeout(this.#typingTimer);
    const expiries = [...this.#typing.get().values()];
    if (!expiries.length) return;
    this.#typingTimer = setTimeout(() => {
      const now = Date.now();
      this.#typing.set(new Map([...this.#typing.get()].filter(([, until]) => until > now)));
      this.#scheduleExpiry();
    }, Math.max(50, Math.min(...expiries) - Date.now()));
  }
}
