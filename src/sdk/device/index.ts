/** Device checks' public surface (re-exported by the SDK's index). */
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
