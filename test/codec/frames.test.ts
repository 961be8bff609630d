// Frame builders, message ids and metadata helpers.
import { expect } from 'chai';
import {
  NotificationType,
  PayloadType,
  Reliability,
  SystemType,
  customFrame,
  emptyFrame,
  metaText,
  metadataEquals,
  metadataToText,
  newMessageId,
  notificationFrame,
  payloadFrame,
  systemFrame,
  textMeta,
} from '../../src/codec/index.ts';

describe('frame builders', () => {
  it("newMessageId uses flare-core's `{unix ms}-{counter as 16 hex digits}` with a rising counter", () => {
    const a = newMessageId(1795390476283);
    const b = newMessageId(1795390476283);
    expect(a).to.match(/^1795390476283-[0-9a-f]{16}$/);
    expect(parseInt(b.slice(14), 16)).to.equal(parseInt(a.slice(14), 16) + 1);
  });

  it('systemFrame fills every field, with the frame defaults flare-core clients use', () => {
    const f = systemFrame(SystemType.CONNECT, { format: 1, metadata: { user_id: 'alice' } }, { timestamp: 42 });
    expect(f.command?.case).to.equal('system');
    const v = f.command!.value as { type: number; format: number; message: string; data: Uint8Array; compression: string };
    expect([v.type, v.format, v.message, v.data.length, v.compression]).to.deep.equal([1, 1, '', 0, '']);
    expect(metaText(f.command!.value.metadata, 'user_id')).to.equal('alice');
    expect(f.reliability).to.equal(Reliability.AT_LEAST_ONCE);
    expect(f.timestamp).to.equal(42);
    expect(f.messageId).to.match(/^42-[0-9a-f]{16}$/);
    expect(Object.getPrototypeOf(f.metadata)).to.equal(null);
  });

  it("payloadFrame's command message id defaults to the frame's", () => {
    const f = payloadFrame(PayloadType.MESSAGE, { payload: new Uint8Array([1]) });
    expect((f.command!.value as { messageId: string }).messageId).to.equal(f.messageId);
    const g = payloadFrame(PayloadType.ACK, { messageId: 'orig' }, { messageId: 'ack-1' });
    expect([(g.command!.value as { messageId: string }).messageId, g.messageId]).to.deep.equal(['orig', 'ack-1']);
  });

  it('notificationFrame, customFrame and emptyFrame build their cases', () => {
    expect(notificationFrame(NotificationType.ALERT, { title: 't' }).command?.case).to.equal('notification');
    const c = customFrame('rpc', { data: new Uint8Array([7]) });
    expect([c.command?.case, (c.command!.value as { name: string }).name]).to.deep.equal(['custom', 'rpc']);
    expect(emptyFrame().command).to.equal(null);
  });
});

describe('metadata helpers', () => {
  it('textMeta encodes UTF-8 into a null-prototype record; metaText and metadataToText read it back', () => {
    const m = textMeta({ city: 'Zürich', raw: new Uint8Array([1, 2]) });
    expect(Object.getPrototypeOf(m)).to.equal(null);
    expect(Array.from(m['city']!)).to.deep.equal([90, 195, 188, 114, 105, 99, 104]);
    expect(metaText(m, 'city')).to.equal('Zürich');
    expect(metaText(m, 'missing')).to.equal(undefined);
    expect(metaText(m, 'toString')).to.equal(undefined);
    expect({ ...metadataToText(textMeta(new Map([['a', 'b']]))) }).to.deep.equal({ a: 'b' });
  });

  it('metadataEquals compares keys and bytes', () => {
    expect(metadataEquals(textMeta({ a: 'x', b: 'y' }), textMeta({ b: 'y', a: 'x' }))).to.equal(true);
    expect(metadataEquals(textMeta({ a: 'x' }), textMeta({ a: 'z' }))).to.equal(false);
    expect(metadataEquals(textMeta({ a: 'x' }), textMeta({ b: 'x' }))).to.equal(false);
    expect(metadataEquals(textMeta({ a: 'x' }), textMeta({ a: 'x', b: '' }))).to.equal(false);
  });
});
