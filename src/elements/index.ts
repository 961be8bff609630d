/** Flare Web elements (npm entry `flare-web/elements`): importing registers them. */
export { DeviceCheck } from './device-check/define.ts';
export type { DeviceCheckClient } from './device-check/define.ts';
export { LocalizeController, localeOf, registerMessages, resolveLocale, translate } from './i18n.ts';
export type { Locale, Messages } from './i18n.ts';
export { createClientFromAttributes, setClientFactory } from './client-factory.ts';
export type { ClientConnectOptions, ClientFactory } from './client-factory.ts';
