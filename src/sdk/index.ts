/**
 * Flare Web SDK (npm entry `flare-web`): FlareClient and its parts (options, builder, state signals,
 * events, delivery, rooms, RPC, streams, middleware, plugins) and the error hierarchy. Nothing else: the call
 * layer is `flare-web/call`, the device checks `flare-web/device`, the elements `flare-web/elements`,
 * so an app that only connects and chats does not carry WebRTC, Agora loading or audio metering.
 */
export { FlareClient } from './client.ts';
export type { CustomMessage, SendOptions } from './client.ts';
export { FlareClientBuilder, reconnectPlugin } from './builder.ts';
export type { ClientPlugin, ConnectHook, ConnectHookContext, DisconnectHook, DisconnectHookContext } from './builder.ts';
export { CLIENT_DEFAULTS, resolveClientOptions } from './options.ts';
export type { FlareClientOptions, GetToken, MessageRetry, Protocol, ProtocolInput, ResolvedClientOptions, TokenContext } from './options.ts';
export type { ClientState, ReadonlySignal } from './state.ts';
export { Emitter } from './events.ts';
export type { ClientEventHandler, ClientEventMap, ClientEventName } from './events.ts';
export type { DeliveryState, SendResult } from './delivery.ts';
export { MESSAGE_TYPE_KEY } from './message.ts';
export type { ReceivedMessage, Target } from './message.ts';
export { Room } from './room.ts';
export type { JoinResult, PresenceMember } from './room.ts';
export type { Body, EventHandler, RequestHandler, RequestOptions } from './rpc.ts';
export { FlareStream } from './streams.ts';
export type { StreamChunk, StreamHandler } from './streams.ts';
export type { IncomingFrame, Middleware, OutgoingFrame } from './middleware.ts';
export { useInlineWorker } from './worker-link.ts';
export type { ConnectionThread } from './worker-link.ts';
export { registerClientFactory } from './client-factory.ts';
export { CodecError, ErrorCode, FlareError } from '../codec/errors.ts';
export type { FlareErrorOptions } from '../codec/errors.ts';
export { ConnectionState } from '../worker/codes.ts';
export type { ConnectionStats, InboundMessage } from '../worker/api.ts';
export type { ProtocolMetrics } from '../worker/scorer.ts';
