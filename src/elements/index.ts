/** Flare Web elements (npm entry `flare-web/elements`): importing registers them. */
export { DeviceCheck } from './device-check/define.ts';
export type { DeviceCheckClient } from './device-check/define.ts';
export { FlareChat, linkify, safeHref } from './flare-chat/define.ts';
export type { ChatConnectionStatus, ChatMessage, ChatSendDetail, ChatSendResult, ChatSource, DeliveryState, PresenceMember, Readable, TextSegment } from './flare-chat/define.ts';
export { FlareCall } from './flare-call/define.ts';
export type { CallIntentDetail } from './flare-call/define.ts';
export { LocalizeController, localeOf, registerMessages, resolveLocale, translate } from './i18n.ts';
export type { Locale, Messages } from './i18n.ts';
export { createClientFromAttributes, setClientFactory } from './client-factory.ts';
export type { ClientConnectOptions, ClientFactory } from './client-factory.ts';
