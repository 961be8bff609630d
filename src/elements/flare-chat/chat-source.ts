/**
 * What <flare-chat> renders: one room's messages, presence, typing and connection as read-only
 * signals, plus the few actions the element takes. Logic-free types only. The SDK's room satisfies it
 * through `client-chat-source.ts`; tests and embedders can implement it directly.
 */
import type { Signal } from '@lit-labs/signals';

/** A signal the element reads (and re-renders on) but never writes. */
export type Readable<T> = Signal.State<T> | Signal.Computed<T>;

/** Where an outgoing message is: in the local outbox, written to the wire, confirmed by the server, or given up. */
export type DeliveryState = 'queued' | 'sent' | 'acked' | 'failed';

/** One chat message. The text is untrusted: the element renders it as text, never as HTML. */
export interface ChatMessage {
  /** Stable id (the local id of an own message until the server confirms it; it does not change). */
  id: string;
  /** Sender's user id. */
  from: string;
  /** Message text (untrusted). */
  text: string;
  /** Time in Unix milliseconds (server time when known). */
  at: number;
  /** Delivery of an own message; absent for messages of others and for own messages from history. */
  delivery?: Readable<DeliveryState> | null;
  /** Replayed from history rather than arriving live (not announced as new). */
  history?: boolean;
  /** Why delivery failed, when it did (shown next to the retry button). */
  error?: Readable<string | null> | null;
}

/** One member of the room's presence (one per connected device). */
export interface PresenceMember {
  userId: string;
  deviceId?: string;
  /** Free-form presence state (`{status: 'away'}`, …). */
  state?: Record<string, string>;
}

/** Connection status as the SDK names it. */
export type ChatConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'kicked';

/** What `send` returns: the message's id and its delivery state. */
export interface ChatSendResult {
  id: string;
  delivery: Readable<DeliveryState>;
}

/** One room as <flare-chat> sees it. */
export interface ChatSource {
  /** The local user's id (own messages are drawn on the right). */
  readonly selfId: string;
  /** Loaded messages, oldest first. Own messages appear here as soon as they are sent. */
  readonly messages: Readable<readonly ChatMessage[]>;
  /** Members present in the room. */
  readonly presence: Readable<readonly PresenceMember[]>;
  /** User ids typing right now, the local user excluded. */
  readonly typing: Readable<readonly string[]>;
  /** Connection status, chosen protocol (`webtransport`, `websocket`) and round-trip time. */
  readonly status: Readable<ChatConnectionStatus>;
  readonly protocol: Readable<string | null>;
  readonly rttMs: Readable<number | null>;
  /** Whether older messages than the first loaded one exist. */
  readonly hasMore: Readable<boolean>;
  /** Sends `text` to the room. */
  send(text: string): ChatSendResult;
  /** Sends a failed message again (ClientChatSource reuses its id, so the server keeps one copy). */
  retry(id: string): void;
  /** Loads the page of messages before the first loaded one; resolves with how many were added. */
  loadOlder(): Promise<number>;
  /** Tells the room the local user is (or stopped) typing; the source rate-limits what goes out. */
  setTyping(active: boolean): void;
  /** Reconnects now instead of waiting for the next retry (optional). */
  reconnect?(): void;
  /** Releases what the source holds (called when the element made the source itself). */
  dispose?(): void;
}
