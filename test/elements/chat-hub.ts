/**
 * An in-page chat room for element tests: several users' ChatSources over one shared history, with
 * hand-controlled delivery (hold acks, fail sends), connection status, presence and typing. Delivery
 * is asynchronous (a macrotask per hop) like a real connection.
 */
import { signal } from '@lit-labs/signals';
import type { ChatConnectionStatus, ChatMessage, ChatSendResult, ChatSource, DeliveryState, PresenceMember } from '../../src/elements/flare-chat/chat-source.ts';

interface Stored {
  id: string;
  from: string;
  text: string;
  at: number;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

export class ChatHub {
  readonly history: Stored[] = [];
  readonly sources = new Map<string, HubChatSource>();
  /** Acks wait for `releaseAcks()` while true. */
  holdAcks = false;
  /** The next N sends fail. */
  failNext = 0;
  readonly #heldAcks: Array<() => void> = [];
  #clock = Date.UTC(2025, 0, 1, 9, 0, 0);

  /** Fills the history with `count` messages from `from` (one a minute). */
  seed(count: number, from = 'carol', text = (i: number) => `message ${i}`): void {
    for (let i = 0; i < count; i++) this.history.push({ id: `seed-${i}`, from, text: text(i), at: this.#next() });
  }

  /** A user's view of the room, with the last `initial` messages loaded and pages of `page` on demand. */
  join(user: string, options: { initial?: number; page?: number } = {}): HubChatSource {
    const source = new HubChatSource(this, user, options.initial ?? 50, options.page ?? 50);
    this.sources.set(user, source);
    this.#presence();
    return source;
  }

  leave(user: string): void {
    this.sources.delete(user);
    this.#presence();
  }

  releaseAcks(): void {
    for (const release of this.#heldAcks.splice(0)) release();
  }

  /** Sets the connection status of every source (or one). */
  setStatus(status: ChatConnectionStatus, user?: string): void {
    for (const [id, s] of this.sources) if (!user || id === user) s.status.set(status);
  }

  /** Delivers `message` to the room (as the server would) and acks the sender. */
  async deliver(sender: HubChatSource, message: Stored, delivery: ReturnType<typeof signal<DeliveryState>>, error: ReturnType<typeof signal<string | null>>): Promise<void> {
    await tick();
    if (sender.status.get() !== 'connected') return; // stays queued until flushed
    delivery.set('sent');
    await tick();
    if (this.failNext > 0) {
      this.failNext -= 1;
      error.set('refused by the server');
      delivery.set('failed');
      return;
    }
    const ack = () => {
      const stored = { ...message, at: this.#next() };
      this.history.push(stored);
      delivery.set('acked');
      for (const s of this.sources.values()) if (s !== sender) s.receive(stored);
    };
    if (this.holdAcks) this.#heldAcks.push(ack);
    else ack();
  }

  setTyping(user: string, active: boolean): void {
    for (const s of this.sources.values()) {
      if (s.selfId === user) continue;
      const now = s.typing.get().filter((u) => u !== user);
      s.typing.set(active ? [...now, user] : now);
    }
  }

  #presence(): void {
    const members: PresenceMember[] = [...this.sources.keys()].map((userId) => ({ userId, deviceId: `${userId}-device` }));
    for (const s of this.sources.values()) s.presence.set(members);
  }

  #next(): number {
    this.#clock += 60_000;
    return this.#clock;
  }
}

/** One user's ChatSource on a {@link ChatHub}. */
export class HubChatSource implements ChatSource {
  readonly messages = signal<readonly ChatMessage[]>([]);
  readonly presence = signal<readonly PresenceMember[]>([]);
  readonly typing = signal<readonly string[]>([]);
  readonly status = signal<ChatConnectionStatus>('connected');
  readonly protocol = signal<string | null>('webtransport');
  readonly rttMs = signal<number | null>(12);
  readonly hasMore = signal(false);
  /** Every setTyping call, for assertions. */
  readonly typingCalls: boolean[] = [];
  loadOlderCalls = 0;
  readonly #hub: ChatHub;
  readonly #page: number;
  readonly #pending = new Map<string, { stored: Stored; delivery: ReturnType<typeof signal<DeliveryState>>; error: ReturnType<typeof signal<string | null>> }>();
  #firstLoaded: number;
  #seq = 0;

  constructor(
    hub: ChatHub,
    readonly selfId: string,
    initial: number,
    page: number,
  ) {
    this.#hub = hub;
    this.#page = page;
    this.#firstLoaded = Math.max(0, hub.history.length - initial);
    this.messages.set(hub.history.slice(this.#firstLoaded).map((m) => ({ ...m })));
    this.hasMore.set(this.#firstLoaded > 0);
  }

  send(text: string): ChatSendResult {
    const id = `${this.selfId}-${++this.#seq}`;
    const delivery = signal<DeliveryState>('queued');
    const error = signal<string | null>(null);
    const stored: Stored = { id, from: this.selfId, text, at: Date.now() };
    this.#pending.set(id, { stored, delivery, error });
    this.messages.set([...this.messages.get(), { ...stored, delivery, error }]);
    void this.#hub.deliver(this, stored, delivery, error);
    return { id, delivery };
  }

  retry(id: string): void {
    const pending = this.#pending.get(id);
    if (!pending || pending.delivery.get() !== 'failed') return;
    pending.error.set(null);
    pending.delivery.set('queued');
    void this.#hub.deliver(this, pending.stored, pending.delivery, pending.error);
  }

  /** Sends everything still queued (after the status went back to connected). */
  flush(): void {
    for (const p of this.#pending.values()) if (p.delivery.get() === 'queued') void this.#hub.deliver(this, p.stored, p.delivery, p.error);
  }

  async loadOlder(): Promise<number> {
    this.loadOlderCalls += 1;
    await tick();
    const from = Math.max(0, this.#firstLoaded - this.#page);
    const older = this.#hub.history.slice(from, this.#firstLoaded).map((m) => ({ ...m }));
    this.#firstLoaded = from;
    this.messages.set([...older, ...this.messages.get()]);
    this.hasMore.set(from > 0);
    return older.length;
  }

  setTyping(active: boolean): void {
    this.typingCalls.push(active);
    this.#hub.setTyping(this.selfId, active);
  }

  reconnect(): void {
    this.status.set('connected');
    this.flush();
  }

  receive(message: Stored): void {
    this.messages.set([...this.messages.get(), { ...message }]);
  }
}
