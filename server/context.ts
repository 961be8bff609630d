/**
 * What every part of the server shares: configuration, logs, metrics, codecs,
 * the broker and the services. Built once by server.ts.
 */
import type { ServerConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { ServerCodecs } from './wire.ts';
import type { Authenticator } from './auth.ts';
import type { Broker } from './broker/broker.ts';
import type { Hub } from './hub.ts';
import type { RoomService } from './rooms.ts';
import type { Handlers } from './handlers.ts';

export interface ServerContext {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly codecs: ServerCodecs;
  readonly auth: Authenticator;
  readonly broker: Broker;
  readonly hub: Hub;
  readonly rooms: RoomService;
  readonly handlers: Handlers;
  /** Unique per process (broker messages carry it to skip their own echoes). */
  readonly serverId: string;
  readonly startedAt: number;
}
