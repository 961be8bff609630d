/**
 * Adapts a FlareClient room to the ChatSource <flare-chat> renders. Until the SDK's FlareClient
 * exists this recognises only clients that already offer `chatSource(room)`; the adapter over the
 * SDK's Room objects replaces this body when the SDK lands.
 */
import type { ChatSource } from './chat-source.ts';

/** Options of {@link chatSourceFromClient}. */
export interface ClientChatOptions {
  room: string;
  /** The local user id, when the client does not know it. */
  user?: string;
  /** The element made the client from its attributes: disposing the source closes the client. */
  owned?: boolean;
}

interface ChatCapableClient {
  chatSource(room: string): ChatSource;
}

/** A ChatSource for `options.room` over `client`, or null when the client cannot provide one. */
export function chatSourceFromClient(client: unknown, options: ClientChatOptions): ChatSource | null {
  const c = client as Partial<ChatCapableClient> | null;
  if (c && typeof c.chatSource === 'function') return c.chatSource(options.room);
  return null;
}
