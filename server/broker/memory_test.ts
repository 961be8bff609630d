import { assertEquals } from '../testing/assert.ts';
import type { BrokerMessage } from './broker.ts';
import { MemoryBroker } from './memory.ts';

const kick = (id: string): BrokerMessage => ({ kind: 'kick', connectionId: id, reason: 'test' });
const ids = (got: Array<[string, BrokerMessage]>) => got.map(([ch, m]) => `${ch}:${m.kind === 'kick' ? m.connectionId : m.kind}`);

Deno.test('memory broker: publishes of one turn are delivered together on the next, in publish order, before publish resolves', async () => {
  const b = new MemoryBroker({ historySize: 10 });
  const got: Array<[string, BrokerMessage]> = [];
  await b.subscribe('a', (m) => got.push(['a', m]));
  await b.subscribe('b', (m) => got.push(['b', m]));
  const p1 = b.publish('a', kick('1'));
  const p2 = b.publish('b', kick('2'));
  const p3 = b.publish('a', kick('3'));
  assertEquals(got.length, 0, 'nothing is delivered during the publishing turn');
  await Promise.resolve();
  assertEquals(got.length, 0, 'nor in its microtasks');
  await p2;
  assertEquals(ids(got), ['a:1', 'b:2', 'a:3']);
  await Promise.all([p1, p3]);
  assertEquals(got.length, 3, 'each delivered once');
  await b.close();
});

Deno.test('memory broker: a handler that publishes sends to the next delivery; a throwing handler does not stop the others', async () => {
  const errors: unknown[] = [];
  const b = new MemoryBroker({ historySize: 10, onHandlerError: (e) => errors.push(e) });
  const got: string[] = [];
  let echoed: Promise<void> | null = null;
  await b.subscribe('a', (m) => {
    if (m.kind !== 'kick') return;
    got.push(`a${m.connectionId}`);
    if (m.connectionId === '1') echoed = b.publish('a', kick('echo'));
  });
  await b.subscribe('a', () => {
    throw new Error('bad handler');
  });
  await Promise.all([b.publish('a', kick('1')), b.publish('a', kick('2'))]);
  assertEquals(got, ['a1', 'a2'], 'the echo is not part of the running delivery');
  await echoed;
  assertEquals(got, ['a1', 'a2', 'aecho']);
  assertEquals(errors.length, 3);
  await b.close();
});

Deno.test('memory broker: close settles a pending publish without delivering it', async () => {
  const b = new MemoryBroker({ historySize: 10 });
  const got: BrokerMessage[] = [];
  await b.subscribe('a', (m) => got.push(m));
  const pending = b.publish('a', kick('late'));
  await b.close();
  await pending;
  await new Promise((r) => setTimeout(r, 5));
  assertEquals(got, []);
});
