import { expect } from 'chai';
import { Room, type RoomDeps } from '../../../src/sdk/room.ts';
import type { InboundMessage } from '../../../src/worker/api.ts';

const encoder = new TextEncoder();
const memberJson = (user: string) => ({ id: `c-${user}`, user_id: user, device_id: 'd', platform: 'web', joined_at: 1, state: {} });

function presenceFrame(user: string, action: 'join' | 'leave'): InboundMessage {
  return {
    id: `p-${user}-${action}`,
    kind: 'system',
    type: 0,
    name: 'flare.presence',
    room: 'r',
    from: null,
    to: null,
    seq: 0,
    history: false,
    timestamp: Date.now(),
    payload: encoder.encode(JSON.stringify(memberJson(user))),
    metadata: { action },
  } as unknown as InboundMessage;
}

/** A room whose `room.join` answer is released by the test. */
function roomWithHeldJoin(members: string[]) {
  let answer!: () => void;
  const deps: RoomDeps = {
    limit: 100,
    track: async () => {},
    untrack: async () => true,
    request: <T>() =>
      new Promise<T>((resolve) => {
        answer = () => resolve({ seq: 0, members: members.map(memberJson), truncated: false } as T);
      }),
  };
  return { room: new Room('r', deps), answer: () => answer() };
}

describe('Room presence while a join waits for its answer', () => {
  it('keeps a join and a leave announced before the answer arrived', async () => {
    // The server took its list [alice, carol]; then bob joined and carol left, and those
    // announcements reached the page before the answer did.
    const { room, answer } = roomWithHeldJoin(['alice', 'carol']);
    const joined = room.join();
    await Promise.resolve();
    room.presenceChanged(presenceFrame('bob', 'join'));
    room.presenceChanged(presenceFrame('carol', 'leave'));
    answer();
    const r = await joined;
    expect(r.members.map((m) => m.userId)).to.deep.equal(['alice', 'carol']);
    expect(room.presence.get().map((m) => m.userId).sort()).to.deep.equal(['alice', 'bob']);
  });

  it('does not duplicate a member announced early and listed in the answer', async () => {
    const { room, answer } = roomWithHeldJoin(['alice', 'bob']);
    const joined = room.join();
    await Promise.resolve();
    room.presenceChanged(presenceFrame('bob', 'join'));
    answer();
    await joined;
    expect(room.presence.get().map((m) => m.userId).sort()).to.deep.equal(['alice', 'bob']);
    room.presenceChanged(presenceFrame('dave', 'join'));
    expect(room.presence.get().map((m) => m.userId).sort()).to.deep.equal(['alice', 'bob', 'dave']);
  });
});
