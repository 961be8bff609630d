/**
 * Device-conflict policy, pure: which older connections of a user a new
 * connection replaces. A connection from the same device never conflicts
 * (a client may hold two transports while it migrates between them).
 */
import { ConflictPolicy } from './config.ts';

/** The strategies flare-core defines (ConflictPolicy without `client`). */
export type Strategy = 'coexist' | 'platform_exclusive' | 'exclusive';

const STRATEGIES: readonly string[] = ['coexist', 'platform_exclusive', 'exclusive'];

/** The strategy in force for one connection: the server's policy, or the client's wish under `client`. */
export function resolveStrategy(policy: ConflictPolicy, desired: string | undefined): Strategy {
  if (policy !== ConflictPolicy.CLIENT) return policy;
  const d = (desired ?? '').trim().toLowerCase();
  return STRATEGIES.includes(d) ? (d as Strategy) : 'coexist';
}

export interface DeviceRef {
  connectionId: string;
  deviceId: string;
  platform: string;
}

/** The older connections (of the same user) that `incoming` replaces under `strategy`. */
export function conflictsOf(strategy: Strategy, incoming: DeviceRef, older: Iterable<DeviceRef>): DeviceRef[] {
  if (strategy === 'coexist') return [];
  const out: DeviceRef[] = [];
  const platform = incoming.platform.toLowerCase();
  for (const c of older) {
    if (c.connectionId === incoming.connectionId) continue;
    if (c.deviceId !== '' && c.deviceId === incoming.deviceId) continue;
    if (strategy === 'exclusive' || c.platform.toLowerCase() === platform) out.push(c);
  }
  return out;
}
