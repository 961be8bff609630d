/**
 * Builds the broker the configuration asks for: the in-memory one (the
 * embedded default) or the Redis one (`--broker redis`, `--redis <url>`,
 * `REDIS_URL`). A Redis that does not answer at start is not fatal: the
 * broker starts degraded, says so in /health, and connects when it can.
 */
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Broker } from './broker.ts';
import { MemoryBroker } from './memory.ts';

export async function createBroker(config: ServerConfig, log: Logger): Promise<Broker> {
  const onHandlerError = (e: unknown) => log.error('broker subscriber failed', { err: e });
  const kind = config.broker ?? (config.redisUrl ? 'redis' : 'memory');
  if (kind === 'memory') return new MemoryBroker({ historySize: config.historySize, onHandlerError });
  // Loaded only when asked for: the embedded default does not pay for the Redis client.
  const { RedisBroker } = await import('./redis.ts');
  return await RedisBroker.connect({
    url: config.redisUrl ?? 'redis://127.0.0.1:6379',
    historySize: config.historySize,
    log: log.child({ component: 'redis' }),
    onHandlerError,
  });
}
