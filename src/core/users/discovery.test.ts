import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DISCOVERY_FILTER, isUserId, parseJoinedMembers, parseSyncDiscovery } from './discovery.ts';

const enc = { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } };

describe('users discovery parsing (hostile server JSON)', () => {
  it('finds encrypted rooms by their m.room.encryption state and m.direct partners', () => {
    const r = parseSyncDiscovery({
      rooms: { join: { '!a:x': { state: { events: [enc] } }, '!b:x': { state: { events: [] } }, '!c:x': { timeline: { events: [enc] } } } },
      account_data: { events: [{ type: 'm.direct', content: { '@bob:x': ['!d:x'], 'not a user': [], '@:x': [] } }] },
    });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { roomsReturned: 3, encryptedRoomIds: ['!a:x', '!c:x'], directPartners: ['@bob:x'] });
  });

  it('skips malformed rooms, events and m.direct content; never throws', () => {
    const hostile: unknown[] = [
      {}, { rooms: 7 }, { rooms: { join: [] } }, { rooms: { join: { '!a:x': null, '!b:x': { state: 'x' }, '!c:x': { state: { events: 'x' } } } } },
      { rooms: { join: { '!a:x': { state: { events: [null, 1, { ...enc, state_key: 'x' }, { ...enc, content: 'x' }, { type: 'm.room.encryption' }] } } } } },
      { account_data: { events: [{ type: 'm.direct', content: [] }, { type: 'm.direct' }, null] } },
      JSON.parse('{"rooms":{"join":{"__proto__":{"state":{"events":[]}}}}}'),
    ];
    for (const body of hostile) {
      const r = parseSyncDiscovery(body);
      assert.ok(r.ok, JSON.stringify(body));
      assert.deepEqual(r.value.encryptedRoomIds, [], JSON.stringify(body));
      assert.deepEqual(r.value.directPartners, []);
    }
    for (const body of [null, 'x', [], 42]) assert.equal(parseSyncDiscovery(body).ok, false);
  });

  it('joined_members: user IDs only, bad ones dropped; a bad shape is a failure', () => {
    const r = parseJoinedMembers({ joined: { '@a:x': {}, 'bob': {}, [`@${'a'.repeat(300)}:x`]: {}, '@b:x': null } });
    assert.ok(r.ok);
    assert.deepEqual(r.value, ['@a:x', '@b:x']);
    for (const body of [null, {}, { joined: [] }, { joined: 'x' }]) assert.equal(parseJoinedMembers(body).ok, false);
  });

  it('user IDs: @localpart:server, no whitespace, at most 255 characters', () => {
    for (const id of ['@a:x', '@bob:example.org:8448', '@a.b-c=d/e:[::1]:8008']) assert.ok(isUserId(id), id);
    for (const id of ['bob', '@bob', '@:x', '@bo b:x', '@bob:', `@${'a'.repeat(260)}:x`, 7, null]) assert.ok(!isUserId(id), String(id));
  });

  it('the sync filter asks for no timeline event and only encryption state and m.direct', () => {
    assert.equal(DISCOVERY_FILTER.room.timeline.limit, 0);
    assert.deepEqual(DISCOVERY_FILTER.room.state.types, ['m.room.encryption']);
    assert.deepEqual(DISCOVERY_FILTER.account_data.types, ['m.direct']);
  });
});
