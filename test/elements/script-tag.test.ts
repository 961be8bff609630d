/**
 * The elements as a script-tag page uses them: only the built bundle (dist/flare-web.js, built by
 * `npm test` first) and attributes. Skipped when dist/ has not been built or no server runs.
 */
import { expect } from 'chai';
import type * as Sdk from '../../src/sdk/index.ts';
import { needServer, testServer, uniqueUser } from '../sdk/client/helpers.ts';
import { waitFor } from '../sdk/call/wait.ts';

type Bundle = typeof Sdk;
interface ChatLike extends HTMLElement {
  updateComplete: Promise<boolean>;
  send(text: string): string | null;
  chat: { status: { get(): string }; messages: { get(): Array<{ id: string; text: string; delivery?: { get(): string } | null }> } } | null;
}
interface CallLike extends HTMLElement {
  updateComplete: Promise<boolean>;
  call: { state: { status: { get(): string } } } | null;
}

const text = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');

describe('script-tag bundle with attributes', function () {
  this.timeout(60_000);
  let bundle: Bundle;
  const mounted: Element[] = [];
  before(async function () {
    needServer.call(this);
    if (!(await fetch('/dist/flare-web.js', { method: 'HEAD' })).ok) this.skip();
    const path = '/dist/flare-web.js';
    bundle = (await import(/* @vite-ignore */ path)) as Bundle;
    bundle.registerClientFactory({ certHash: testServer().certHash, persistOutbox: false });
  });
  afterEach(() => {
    for (const el of mounted.splice(0)) el.remove();
    document.documentElement.removeAttribute('lang');
  });

  function place<T extends Element>(html: string): T {
    const holder = document.createElement('div');
    holder.innerHTML = html;
    const el = holder.firstElementChild as T;
    document.body.append(el);
    mounted.push(el);
    return el;
  }

  it('<flare-chat server-url room user> connects, sends with delivery states, and speaks both languages', async () => {
    const { serverUrl } = testServer();
    const user = uniqueUser('tag');
    const chat = place<ChatLike>(`<flare-chat server-url="${serverUrl}" room="${uniqueUser('room')}" user="${user}"></flare-chat>`);
    await waitFor(async () => (await chat.updateComplete, chat.chat?.status.get() === 'connected'), 'connected');
    await chat.updateComplete;
    expect(text(chat)).to.contain('Connected').and.contain('Send');
    expect(text(chat)).to.not.contain('chat.');
    const id = chat.send('<i>from a script tag</i>')!;
    await waitFor(() => chat.chat!.messages.get().find((m) => m.id === id)?.delivery?.get() === 'acked', 'acked');
    await chat.updateComplete;
    expect(chat.shadowRoot!.querySelector(`article[data-id="${id}"] .bubble`)!.textContent).to.equal('<i>from a script tag</i>');
    expect(chat.shadowRoot!.querySelector('i')).to.equal(null);
    document.documentElement.lang = 'zh-CN';
    await new Promise((r) => setTimeout(r, 0));
    await chat.updateComplete;
    expect(text(chat)).to.contain('已连接').and.contain('发送');
  });

  it('<flare-call server-url user peer> makes its controller from the attributes', async () => {
    const { serverUrl } = testServer();
    const call = place<CallLike>(`<flare-call server-url="${serverUrl}" user="${uniqueUser('tag')}" peer="someone"></flare-call>`);
    await call.updateComplete;
    expect(call.call?.state.status.get()).to.equal('idle');
    expect(text(call)).to.contain('Video call').and.contain('Who to call');
    expect(call.shadowRoot!.querySelector<HTMLInputElement>('#peer')!.value).to.equal('someone');
    expect(text(call)).to.not.contain('call.');
  });
});
