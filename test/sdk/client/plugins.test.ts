import { expect } from 'chai';
import { FlareClient } from '../../../src/sdk/index.ts';
import { reconnectPlugin, type ClientPlugin, type ConnectHookContext, type DisconnectHookContext, type FlareClientBuilder } from '../../../src/sdk/builder.ts';
import { invalid, makeClient, needServer, testServer, uniqueUser, waitFor } from './helpers.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A builder for the test server (no IndexedDB outbox). */
function builder(userId = uniqueUser('plug')): FlareClientBuilder {
  const { serverUrl, certHash } = testServer();
  return FlareClient.builder(userId, serverUrl ?? 'https://chat.example').certHash(certHash).option('persistOutbox', false);
}

/** Adds `tagged: <tag>` to the body of every `echo` request, and sets the request timeout. */
function tagging(tag: string): ClientPlugin {
  return {
    name: `tag-${tag}`,
    install: (b) =>
      b.requestTimeout(4321).middleware({
        name: `tag-${tag}`,
        outgoing(f) {
          if (f.name !== 'flare.rpc.req' || f.metadata?.method !== 'echo') return f;
          const body = JSON.parse(decoder.decode(f.payload));
          return { ...f, payload: encoder.encode(JSON.stringify({ ...body, tagged: [...(body.tagged ?? []), tag] })) };
        },
      }),
  };
}

describe('FlareClient builder: plugins and lifecycle hooks', function () {
  this.timeout(30_000);
  const clients: FlareClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  });

  describe('builder errors', () => {
    it('a duplicate plugin name, a plugin without name or install, a failing install, a bad hook', () => {
      const b = FlareClient.builder('alice', 'https://chat.example').plugin(tagging('a'));
      const dup = invalid(() => b.plugin(tagging('a')));
      expect(dup.message).to.equal('plugin "tag-a" is already installed');
      expect(dup.details).to.deep.equal({ option: 'plugin', plugin: 'tag-a' });
      invalid(() => b.plugin({ name: '', install: () => {} }));
      invalid(() => b.plugin({ name: 'no-install' } as unknown as ClientPlugin));
      const boom = invalid(() =>
        b.plugin({
          name: 'boom',
          install() {
            throw new Error('needs a key');
          },
        }),
      );
      expect(boom.message).to.equal('plugin "boom" failed to install: needs a key');
      const foreign = invalid(() => b.plugin({ name: 'foreign', install: () => FlareClient.builder('x', 'https://other.example') }));
      expect(foreign.message).to.contain('must return the builder it was given');
      invalid(() => b.onConnect('nope' as unknown as () => void));
      invalid(() => b.onDisconnect(undefined as unknown as () => void));
      // A refused plugin was not recorded, and its name stays free.
      expect(b.plugins()).to.deep.equal(['tag-a', 'boom', 'foreign']);
      b.plugin({ name: 'no-install-2', install: () => {} });
      expect(b.plugins()).to.deep.equal(['tag-a', 'boom', 'foreign', 'no-install-2']);
    });

    it('what a plugin sets shows in the options; plugins install in order', () => {
      const c = FlareClient.builder('alice', 'https://chat.example').plugin(tagging('a')).plugin(tagging('b')).build();
      clients.push(c);
      expect(c.options.requestTimeoutMs).to.equal(4321);
      expect(c.options.middleware?.map((m) => m.name)).to.deep.equal(['tag-a', 'tag-b']);
      const r = FlareClient.builder('alice', 'https://chat.example').autoReconnect(false).plugin(reconnectPlugin({ maxAttempts: 3 })).build();
      clients.push(r);
      expect([r.options.autoReconnect, r.options.maxReconnectAttempts]).to.deep.equal([true, 3]);
    });
  });

  describe('against the server', () => {
    before(needServer);

    it('a plugin\'s middleware and hooks work on a real connection; onDisconnect pairs with onConnect', async () => {
      const connects: ConnectHookContext[] = [];
      const disconnects: DisconnectHookContext[] = [];
      const order: string[] = [];
      const lifecycle: ClientPlugin = {
        name: 'lifecycle',
        install(b) {
          b.onConnect((ctx) => {
            connects.push(ctx);
            order.push('plugin connect');
          }).onDisconnect((ctx) => void disconnects.push(ctx));
        },
      };
      const c = builder()
        .plugin(tagging('a'))
        .plugin(lifecycle)
        .onConnect(async ({ client }) => {
          // Hooks get the client: they may use it right away.
          order.push(`app connect ${JSON.stringify(await client.request('echo', {}))}`);
        })
        .onConnect(() => {
          throw new Error('a failing hook does not stop the others');
        })
        .plugin(tagging('b'))
        .build();
      clients.push(c);
      // A failing hook is reported (reportError -> window.onerror, which mocha would count as a failure).
      const reported: unknown[] = [];
      const mochaOnError = window.onerror;
      window.onerror = (message, source, line, col, error) => {
        if (String(error?.message).startsWith('a failing hook')) {
          reported.push(error);
          return true;
        }
        return mochaOnError?.call(window, message, source, line, col, error) ?? false;
      };
      try {
        await c.connect();
        expect(await c.request('echo', { x: 1 })).to.deep.equal({ x: 1, tagged: ['a', 'b'] });
        await waitFor(() => order.length === 2, 'both connect hooks');
        expect(order).to.deep.equal(['plugin connect', 'app connect {"tagged":["a","b"]}']);
        expect(reported).to.have.length(1);
        expect(connects).to.have.length(1);
        expect(connects[0]!.client).to.equal(c);
        expect(connects[0]!.event.connectionId).to.equal(c.state.connectionId.get());
        expect(connects[0]!.event.reconnected).to.equal(false);
        expect(disconnects).to.have.length(0);

        await c.disconnect();
        await waitFor(() => disconnects.length === 1, 'onDisconnect');
        expect(disconnects[0]!.client).to.equal(c);
        expect([disconnects[0]!.event.from, disconnects[0]!.event.to]).to.deep.equal(['connected', 'disconnected']);

        await c.connect();
        await waitFor(() => order.length === 4, 'both connect hooks again');
        expect(order.slice(2)).to.deep.equal(['plugin connect', 'app connect {"tagged":["a","b"]}']);
        expect(connects[1]!.event.connectionId).to.not.equal(connects[0]!.event.connectionId);
        expect(disconnects).to.have.length(1);
        expect(reported).to.have.length(2);
      } finally {
        window.onerror = mochaOnError;
      }
    });

    it('onDisconnect on a kick says so', async () => {
      const user = uniqueUser('plug-kick');
      const disconnects: DisconnectHookContext[] = [];
      const old = builder(user).option('conflictStrategy', 'exclusive').option('deviceId', 'dev-old').onDisconnect((ctx) => void disconnects.push(ctx)).build();
      clients.push(old);
      await old.connect();
      const fresh = makeClient({ userId: user, conflictStrategy: 'exclusive', deviceId: 'dev-new' });
      clients.push(fresh);
      await fresh.connect();
      await waitFor(() => disconnects.length === 1, 'onDisconnect after the kick');
      expect(disconnects[0]!.event.to).to.equal('kicked');
      expect(disconnects[0]!.event.code).to.equal('device_conflict');
    });
  });
});
