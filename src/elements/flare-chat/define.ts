/** Registers <flare-chat>. Importing this module is the side effect; the class is re-exported. */
import { FlareChat } from './flare-chat.ts';

if (!customElements.get('flare-chat')) customElements.define('flare-chat', FlareChat);

export { FlareChat };
export type { ChatSendDetail } from './flare-chat.ts';
export type { ChatConnectionStatus, ChatMessage, ChatSendResult, ChatSource, DeliveryState, PresenceMember, Readable } from './chat-source.ts';
export { linkify, safeHref } from './linkify.ts';
export type { TextSegment } from './linkify.ts';
