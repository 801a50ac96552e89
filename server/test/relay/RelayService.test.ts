import type { MeetingId } from '@giaoban/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeetingCommand, MeetingRecord } from '../../src/domain/index.js';
import { RelayService } from '../../src/relay/RelayService.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import { A, liveMeeting } from '../domain/harness.js';

// A child meeting's link to its parent survives a restart: it is journaled in the store, and a
// new RelayService over the same store links the meeting again — unless it was unlinked or has
// ended. The parent here is an address nobody answers: only the link's bookkeeping is tested
// (tests/integration/linked-meetings.test.ts relays through a real parent hub).
const PARENT = { url: 'http://127.0.0.1:9/', token: 'relay-token' };
const media = { get: async () => Promise.reject(new Error('no media in this test')) };
const config = { listenIp: '127.0.0.1', announcedIp: undefined };

const services: RelayService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.close();
});

/** A live meeting's record under its own id (the harness gives every meeting the same one). */
function meetingWithId(id: string, end = false): MeetingRecord {
  const { m } = liveMeeting();
  if (end) m.ok(A.chair, { type: 'meeting:end' });
  return { ...m.record, meeting: { ...m.record.meeting, id: id as MeetingId } };
}

/** The system commands the relay service ran, by meeting (what the child meeting was told). */
const told: { meetingId: string; command: MeetingCommand }[] = [];

/** A relay service over `store` whose meetings are the given records. */
function service(store: MemoryStore, records: MeetingRecord[]): RelayService {
  const meetings = {
    get: async (id: string) => {
      const r = records.find((x) => x.meeting.id === id);
      if (!r) throw new Error(`no meeting ${id}`);
      return r;
    },
    onChanged: () => undefined,
    system: async (meetingId: string, command: MeetingCommand) => {
      told.push({ meetingId, command });
    },
  };
  const s = new RelayService(media as never, meetings as never, config, store);
  services.push(s);
  return s;
}

describe('a child meeting linked to its parent, across a restart', () => {
  it('is linked again from the journal; an unlinked or ended meeting is not', async () => {
    const store = new MemoryStore();
    const linked = meetingWithId('mtg-linked');
    const unlinked = meetingWithId('mtg-unlinked');
    const records = [linked, unlinked, meetingWithId('mtg-ended')];
    const before = service(store, records);
    for (const r of records) await before.attachParent(r.meeting.id, PARENT);
    await before.unlinkParent(unlinked.meeting.id);
    expect(before.parentOf(unlinked.meeting.id)).toBeNull();
    before.close();

    // The hub restarts: the journal remembers; the third meeting has ended meanwhile.
    const ended = meetingWithId('mtg-ended', true);
    const after = service(store, [linked, unlinked, ended]);
    const ids = records.map((r) => r.meeting.id);
    expect(await after.restore(ids)).toBe(1);
    expect(after.parentOf(linked.meeting.id)).toEqual({
      url: 'http://127.0.0.1:9',
      state: 'connecting',
      site: null,
    });
    expect(after.parentOf(unlinked.meeting.id)).toBeNull();
    expect(after.parentOf(ended.meeting.id)).toBeNull();
    // The token stays in the store only: it is never shown back.
    expect(JSON.stringify(after.parentOf(linked.meeting.id))).not.toContain(PARENT.token);
    const journal = await store.readJournal(linked.meeting.id as MeetingId, 'parentLink');
    expect(journal).toHaveLength(1);
  });

  it('tells the child meeting the link is coming up when linked, and that there is no parent when unlinked', async () => {
    const store = new MemoryStore();
    const linked = meetingWithId('mtg-view');
    const s = service(store, [linked]);
    told.length = 0;
    await s.attachParent(linked.meeting.id, PARENT);
    const first = told.find((t) => t.meetingId === linked.meeting.id)?.command;
    expect(first).toMatchObject({ type: 'parent:view', view: { link: 'reconnecting', meetingTitle: '' } });
    await s.unlinkParent(linked.meeting.id);
    expect(told.at(-1)?.command).toEqual({ type: 'parent:view', view: null });
  });
});
