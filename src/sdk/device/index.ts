/**
 * The device checks (npm entry `flare-web/device`): camera and microphone access and health, the
 * remembered device choice, the microphone level meter, the speaker test tone, the network test and
 * the session that runs them all (what `<device-check>` renders). `createNetworkProbe(client)` (or
 * `client.networkProbe()`) times round trips over a FlareClient for the network test.
 */
export { DeviceHealth } from './device-health.ts';
export type { AcquireResult, CaptureKind, DeviceAccess, DeviceHealthOptions, DeviceLists, PolicyLike } from './device-health.ts';
export { DEVICE_PREFERENCES_KEY, DevicePreferences } from './device-preferences.ts';
export { displayLevel, METER_RANGE_DB, MicLevelMeter } from './mic-level-meter.ts';
export type { MicLevel } from './mic-level-meter.ts';
export { playTestTone } from './speaker-test.ts';
export type { SpeakerTestOptions, SpeakerTestResult } from './speaker-test.ts';
export { runNetworkTest } from './network-test.ts';
export type { NetworkProbe, NetworkTestOptions, NetworkTestResult } from './network-test.ts';
export { DeviceCheckSession } from './device-check-session.ts';
export type { CheckPhase, CheckVerdict, DeviceCheckSessionOptions, NetworkState, SpeakerState } from './device-check-session.ts';
export { createNetworkProbe } from '../network-probe.ts';
export type { ProbeClient } from '../network-probe.ts';
