/**
 * The call layer (npm entry `flare-web/call`): CallController with its state, timeout and
 * reconnection managers, call signalling, the WebRTC engine and the Agora engine (its SDK loaded on
 * first use), page status and network quality. Over a FlareClient, signals travel as `flare.call`
 * direct messages: `createCallSignaller(client)` or `client.callSignaller()`.
 */
export * from './call-types.ts';
export * from './call-codes.ts';
export type { CallMedia, CallSignal, CallControlSignal, CallMediaSignal, CallSignaller, IncomingCallSignal } from './call-signals.ts';
export { CallStateManager, canTransition } from './call-state-manager.ts';
export type { CallTransition, LocalMediaState, ParticipantConnection, ParticipantState, ReadonlySignal, ReconnectionStatus } from './call-state-manager.ts';
export { CallTimeoutManager, DEFAULT_TIMEOUTS, TimeoutKind } from './call-timeout-manager.ts';
export { BackoffReconnectPolicy, ReconnectionManager } from './reconnection-manager.ts';
export type { BackoffOptions, ReconnectContext, ReconnectPolicy, RestartHook } from './reconnection-manager.ts';
export { gradeNetworkQuality, QUALITY_THRESHOLDS, scoreOfLevel, summarizeRoundTrips } from './network-quality.ts';
export { captureConstraints, captureLocalMedia, RtcEngineKind } from './rtc-engine.ts';
export type { MediaDevicesLike, ParticipantStats, RtcEngine, RtcEngineEvents, RtcJoinOptions } from './rtc-engine.ts';
export { WebRtcEngine } from './webrtc-engine.ts';
export type { WebRtcEngineOptions } from './webrtc-engine.ts';
export { AgoraEngine, loadAgoraSdk } from './agora-engine.ts';
export type { AgoraEngineOptions, AgoraTokenReason } from './agora-engine.ts';
export type * from './agora-types.ts';
export { CallSignalling } from './call-signalling.ts';
export type { CallSignallingEvents, CallSignallingOptions, CurrentCall } from './call-signalling.ts';
export { CallController } from './call-controller.ts';
export type { CallControllerOptions } from './call-controller.ts';
export { realTimers } from './timers.ts';
export type { TimerHandle, Timers } from './timers.ts';
export { PageStatusTracker, pageStatusOf } from './page-status.ts';
export type { PageDocument } from './page-status.ts';
export { CallError } from './call-error.ts';
export { CALL_SIGNAL_TYPE, createCallSignaller } from '../call-bridge.ts';
export type { SignallingClient } from '../call-bridge.ts';
