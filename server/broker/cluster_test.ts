/**
 * Several server processes behind one Redis (issue 8), end to end: a real
 * redis-server and two (then three) `server/main.ts` processes started here,
 * WebSocket clients speaking the protocol. Room messages and direct messages
 * cross processes; a client moves from one process to the other mid-stream and
 * gets every message exactly once, in order; a second login on the other
 * process kicks the first, and two logins at once kick exactly the older; RPC reaches a user on the other process; Redis is
 * stopped and restarted during traffic; a killed process's members leave
 * presence. Skipped, with a message, only when no redis-server exists.
 */
import { PayloadType, Reliability, SystemType, type Frame } from '../../src/codec/frame-types.ts';
import { customFrame } from '../../src/codec/frames.ts';
import { ExtCommand } from '../../src/protocol/extensions.ts';
import { assert, assertEquals } from '../testing/assert.ts';
import { isCustom, isPayload, isSystem, meta, payloadText, seqOf, TestClient } from '../testing/client.ts';
import { findRedisServer, RedisProcess } from './redis-process.ts';

const REDIS = findRedisServer();
const MAIN = new URL('../main.ts', import.meta.url).pathname;
if (!REDIS) console.warn('SKIPPED cluster tests: no redis-server found (Debian: apt-get install redis-server; or set REDIS_SERVER)');

const roomMsg = (room: string) => (f: Frame) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'room') === room;
const ackOf = (id: string) => (f: Frame) => isPayload(f, PayloadType.ACK) && f.messageId === id;
const enc = new TextEncoder();

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One `server/main.ts` process. */
class ServerProcess {
  readonly lines: string[] = [];
  url = '';
  #child: Deno.ChildProcess;
  #exited: Promise<Deno.CommandStatus>;

  private constructor(args: string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ['run', '--unstable-net', '-A', MAIN, ...args],
      stdout: 'piped',
      stderr: 'inherit',
    }).spawn();
    this.#exited = this.#child.status;
  }

  static async start(args: string[]): Promise<ServerProcess> {
    const p = new ServerProcess(['--port', '0', '--hostname', '127.0.0.1', '--static-dir', '', '--dist-dir', '', ...args]);
    const listening = new Promise<string>((resolve, reject) => {
      void (async () => {
        let rest = '';
        const dec = new TextDecoder();
        for await (const chunk of p.#child.stdout) {
          rest += dec.decode(chunk, { stream: true });
          let nl;
          while ((nl = rest.indexOf('\n')) >= 0) {
            const line = rest.slice(0, nl);
            rest = rest.slice(nl + 1);
            p.lines.push(line);
            try {
              const o = JSON.parse(line);
              if (o.msg === 'listening') resolve(o.url);
            } catch {
              // not JSON
            }
          }
        }
        reject(new Error(`server exited before listening: ${p.lines.join('\n')}`));
      })();
    });
    const t = setTimeout(() => p.kill(), 30_000);
    try {
      p.url = await listening;
    } finally {
      clearTimeout(t);
    }
    return p;
  }

  async health(): Promise<{ status: string; broker: { ok: boolean; state: string } }> {
    return await (await fetch(`${this.url}/health`)).json();
  }

  kill(signal: Deno.Signal = 'SIGKILL'): void {
    try {
      this.#child.kill(signal);
    } catch {
      // gone
    }
  }

  async stop(): Promise<void> {
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), 3000);
    await this.#exited;
    clearTimeout(t);
  }

  get exited(): Promise<Deno.CommandStatus> {
    return this.#exited;
  }
}

Deno.test({ name: 'cluster: two server processes behind one Redis', ignore: !REDIS, sanitizeOps: false, sanitizeResources: false }, async (t) => {
  const redis = await RedisProcess.start(REDIS!);
  const procs: ServerProcess[] = [];
  const clients: TestClient[] = [];
  const args = ['--redis', redis.url, '--presence-ttl', '1s', '--log-level', 'info'];
  const connect = async (p: ServerProcess, user: string, extra: Record<string, string> = {}) => {
    const c = await TestClient.connect(p.url, { meta: { user_id: user, device_id: `${user}-dev`, ...extra } });
    clients.push(c);
    return c;
  };
  try {
    const [s1, s2] = await Promise.all([ServerProcess.start(args), ServerProcess.start(args)]);
    procs.push(s1!, s2!);
    for (const p of procs) assertEquals((await p.health()).broker.state, 'ready');

    await t.step('room messages, presence and direct messages cross processes', async () => {
      const alice = await connect(s1!, 'alice');
      const bob = await connect(s2!, 'bob');
      await alice.call('room.join', { room: 'lobby' });
      const jb = await bob.call<{ members: Array<{ user_id: string }> }>('room.join', { room: 'lobby' });
      assertEquals(jb.members.map((m) => m.user_id).sort(), ['alice', 'bob'], 'presence is cluster-wide');
      const joined = await alice.next((f) => isCustom(f, ExtCommand.PRESENCE));
      assertEquals(meta(joined, 'action'), 'join', 'presence event crosses processes');

      const id1 = alice.publish({ room: 'lobby' }, 'hello from s1');
      assertEquals(meta(await alice.next(ackOf(id1)), 'seq'), '1');
      const got1 = await bob.next(roomMsg('lobby'));
      assertEquals([payloadText(got1), seqOf(got1), meta(got1, 'from'), got1.messageId], ['hello from s1', 1, 'alice', id1]);
      const id2 = bob.publish({ room: 'lobby' }, 'hello from s2');
      assertEquals(meta(await bob.next(ackOf(id2)), 'seq'), '2', 'one sequence for the room across processes');
      assertEquals([payloadText(await alice.next(roomMsg('lobby'))), 2], ['hello from s2', 2]);

      const dm = alice.publish({ to: 'bob' }, 'psst bob');
      assertEquals(meta(await alice.next(ackOf(dm)), 'seq'), '1');
      const gotDm = await bob.next((f) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'to') === 'bob');
      assertEquals([payloadText(gotDm), meta(gotDm, 'from'), seqOf(gotDm)], ['psst bob', 'alice', 1]);
      bob.publish({ to: 'alice' }, 'psst alice');
      assertEquals(payloadText(await alice.next((f) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'to') === 'alice')), 'psst alice');

      // A broadcast reaches connections of both processes.
      await alice.call('broadcast', { hi: 1 });
      for (const c of [alice, bob]) await c.next((f) => f.command?.case === 'notification');
    });

    await t.step('a client moves from one process to the other mid-stream: every room message and DM once, in order', async () => {
      const N = 300;
      const pub = await connect(s1!, 'pub');
      const rcv = await connect(s1!, 'rcv');
      await pub.call('room.join', { room: 'stream' });
      await rcv.call('room.join', { room: 'stream' });
      const sending = (async () => {
        for (let i = 0; i < N; i++) {
          pub.publish({ room: 'stream' }, `m${i}`, { reliability: Reliability.BEST_EFFORT });
          if (i % 30 === 0) pub.publish({ to: 'rcv' }, `dm${i / 30}`, { reliability: Reliability.BEST_EFFORT });
          if (i % 10 === 9) await new Promise((r) => setTimeout(r, 4));
        }
      })();
      const got: Array<[string, number]> = [];
      const dms: Array<[string, number]> = [];
      const isDm = (f: Frame) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'to') === 'rcv';
      const take = async (c: TestClient, until: (n: number) => boolean) => {
        while (!until(got.length)) {
          const f = await c.next((x) => roomMsg('stream')(x) || isDm(x));
          (isDm(f) ? dms : got).push([payloadText(f), seqOf(f)]);
        }
      };
      await take(rcv, (n) => n >= 80);
      const last = got.at(-1)![1];
      rcv.close();
      await rcv.waitClosed();
      // Reconnect to the other process, resuming the room and the inbox after the last seqs seen.
      const moved = await connect(s2!, 'rcv', { rooms: JSON.stringify({ stream: last }), inbox_seq: String(dms.at(-1)?.[1] ?? 0) });
      await sending;
      await take(moved, (n) => n > 0 && got.at(-1)![0] === `m${N - 1}`);
      while (dms.length < N / 30) {
        const f = await moved.next(isDm);
        dms.push([payloadText(f), seqOf(f)]);
      }
      assertEquals(
        dms,
        Array.from({ length: N / 30 }, (_, i): [string, number] => [`dm${i}`, i + 1]),
        'direct messages too: every one once, in order, inbox seqs without gaps',
      );
      assertEquals(
        got.map(([text]) => text),
        Array.from({ length: N }, (_, i) => `m${i}`),
        'every message exactly once, in order',
      );
      assertEquals(
        got.map(([, seq]) => seq),
        Array.from({ length: N }, (_, i) => i + 1),
        'seqs 1..N without gaps',
      );
    });

    await t.step('a second login on the other process kicks the first (exclusive)', async () => {
      const first = await connect(s1!, 'carol', { device_id: 'carol-phone', desired_conflict_strategy: 'exclusive' });
      await connect(s2!, 'carol', { device_id: 'carol-laptop', desired_conflict_strategy: 'exclusive' });
      const kicked = await first.next((f) => isSystem(f, SystemType.KICKED));
      assertEquals(meta(kicked, 'reason'), 'device_conflict');
      assertEquals(meta(kicked, 'new_device_id'), 'carol-laptop');
      assertEquals((await first.waitClosed()).code, 4002);
    });

    await t.step('two logins at almost the same moment on two processes: exactly the older one is kicked', async () => {
      for (let round = 0; round < 8; round++) {
        const user = `race-${round}`;
        // The older one may be kicked before its CONNECT_ACK even left (closed 4002 without KICKED).
        const login = async (p: ServerProcess, n: number) => {
          const c = await TestClient.open(p.url);
          clients.push(c);
          await c.handshake({ meta: { user_id: user, device_id: `${user}-${n}`, desired_conflict_strategy: 'exclusive' } }).catch(() => {});
          return c;
        };
        const pair = await Promise.all([login(s1!, 1), login(s2!, 2)]);
        await until('one of the two kicked', () => pair.some((c) => c.closed !== null));
        const [kicked, survivor] = pair[0]!.closed ? [pair[0]!, pair[1]!] : [pair[1]!, pair[0]!];
        assertEquals(kicked.closed!.code, 4002);
        const notice = kicked.frames.find((f) => isSystem(f, SystemType.KICKED));
        if (notice) assertEquals(meta(notice, 'new_connection_id'), survivor.connectionId, `round ${round}: kicked for the other one`);
        // Both notices went to Redis before the CONNECT_ACKs; a direct message published now reaches the
        // survivor after its process handled them both (pub/sub order): it is not kicked later.
        const probe = await connect(s1!, `${user}-probe`);
        probe.publish({ to: user }, 'still there?');
        await survivor.next((f) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'to') === user);
        assertEquals([survivor.closed, survivor.frames.some((f) => isSystem(f, SystemType.KICKED))], [null, false], `round ${round}: the newer one stays`);
      }
    });

    await t.step('RPC to a user reaches them on the other process', async () => {
      const dave = await connect(s2!, 'dave');
      const erin = await connect(s1!, 'erin');
      const answering = (async () => {
        const req = await dave.next((f) => isCustom(f, ExtCommand.RPC_REQUEST) && meta(f, 'method') === 'whoami');
        const body = new TextDecoder().decode((req.command!.value as { data: Uint8Array }).data);
        dave.send(customFrame(ExtCommand.RPC_RESPONSE, { data: enc.encode(`dave, asked ${body}`), metadata: { id: meta(req, 'id')! } }, { reliability: Reliability.BEST_EFFORT }));
      })();
      const res = await erin.call<{ answer: string }>('user.call', { user: 'dave', method: 'whoami', body: { from: 'erin' } });
      await answering;
      assertEquals(res.answer, 'dave, asked {"from":"erin"}');
      let code = '';
      try {
        await erin.call('user.call', { user: 'nobody', method: 'x', timeout_ms: 200 });
      } catch (e) {
        code = (e as { code: string }).code;
      }
      assertEquals(code, 'request_timeout', 'a user connected nowhere');
    });

    await t.step('Redis stopped and restarted during traffic: degraded, local delivery, recovery, nothing acknowledged lost', async () => {
      const a = await connect(s1!, 'ann');
      const a2 = await connect(s1!, 'ann2');
      const b = await connect(s2!, 'ben');
      for (const c of [a, a2, b]) await c.call('room.join', { room: 'outage' });
      // Traffic from both processes, ACKed (at-least-once), all along.
      const acked = new Map<TestClient, Set<string>>([[a, new Set()], [b, new Set()]]);
      let running = true;
      const traffic = [a, b].map(async (c, k) => {
        for (let i = 0; running; i++) {
          const id = c.publish({ room: 'outage' }, `${k}:${i}`);
          const ack = await c.next(ackOf(id), 10_000);
          if (meta(ack, 'error') === undefined) acked.get(c)!.add(id);
          await new Promise((r) => setTimeout(r, 15));
        }
      });
      await until('traffic flowing', () => acked.get(a)!.size > 5 && acked.get(b)!.size > 5);
      const before = Math.max(...[...b.frames, ...a2.frames].filter(roomMsg('outage')).map(seqOf));

      await redis.stop();
      await until('s1 reports degraded', async () => (await s1!.health()).status === 'degraded');
      const h = await s1!.health();
      assertEquals(h.broker.ok, false);
      // Local delivery keeps working while Redis is down.
      const during = a.publish({ room: 'outage' }, 'during the outage');
      assertEquals(meta(await a.next(ackOf(during), 5000), 'error'), undefined, 'publish accepted while degraded');
      assertEquals(payloadText(await a2.next((f) => roomMsg('outage')(f) && f.messageId === during)), 'during the outage', 'same-process member got it at once');
      await new Promise((r) => setTimeout(r, 300));

      await redis.restart(); // empty: no persistence
      await until('both processes recovered', async () => (await s1!.health()).status === 'ok' && (await s2!.health()).status === 'ok', 15_000);
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await Promise.all(traffic);
      const marker = a.publish({ room: 'outage' }, 'after recovery');
      const markerSeq = Number(meta(await a.next(ackOf(marker)), 'seq'));
      assert(markerSeq > before, `seqs did not go backwards after the Redis restart (${markerSeq} > ${before})`);
      await b.next((f) => roomMsg('outage')(f) && f.messageId === marker);
      await a2.next((f) => roomMsg('outage')(f) && f.messageId === marker);

      // Every acknowledged message reached every other member at least once, seqs ascending.
      for (const [who, c, from] of [['ben', b, a], ['ann2', a2, a], ['ann2', a2, b], ['ann', a, b]] as const) {
        const frames = c.frames.filter(roomMsg('outage'));
        const ids = new Set(frames.map((f) => f.messageId));
        const missing = [...acked.get(from)!].filter((id) => !ids.has(id));
        assertEquals(missing, [], `${who} misses acknowledged messages`);
        const seqs = frames.map(seqOf);
        for (let i = 1; i < seqs.length; i++) assert(seqs[i]! > seqs[i - 1]!, `${who}: ascending seqs`);
      }
      assert(new Set(b.frames.filter(roomMsg('outage')).map((f) => f.messageId)).has(during), 'the outage message reached the other process after recovery');
    });

    await t.step('a killed process: its members leave presence (expiry, with a leave event)', async () => {
      const s3 = await ServerProcess.start(args);
      procs.push(s3);
      const watcher = await connect(s1!, 'watcher');
      await watcher.call('room.join', { room: 'doomed' });
      const victim = await connect(s3, 'victim');
      await victim.call('room.join', { room: 'doomed' });
      const names = async () => (await watcher.call<{ members: Array<{ user_id: string }> }>('room.members', { room: 'doomed' })).members.map((m) => m.user_id).sort();
      assertEquals(await names(), ['victim', 'watcher']);
      watcher.frames.length = 0;
      s3.kill('SIGKILL');
      await s3.exited;
      await until('the victim expires from presence', async () => (await names()).join() === 'watcher', 5000);
      const left = await watcher.next((f) => isCustom(f, ExtCommand.PRESENCE) && meta(f, 'action') === 'leave', 5000);
      const who = JSON.parse(new TextDecoder().decode((left.command!.value as { data: Uint8Array }).data));
      assertEquals([meta(left, 'room'), who.user_id], ['doomed', 'victim'], 'members of the killed process get a leave event');
    });
  } finally {
    for (const c of clients) c.close();
    await Promise.all(procs.map((p) => p.stop()));
    await redis.stop();
  }
});
