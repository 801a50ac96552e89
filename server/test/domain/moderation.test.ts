import type { AuditEntry, ChatMessageId, SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { AUDITED, auditEntryOf } from '../../src/domain/AuditLog.js';
import * as Chat from '../../src/domain/Chat.js';
import type { PersonCommand } from '../../src/domain/commands.js';
import { audioWanted, isMicAllowed, micState } from '../../src/domain/MediaPolicy.js';
import { A, DN, HN, HOST, HP, liveMeeting } from './harness.js';

describe('mute all and moderator mutes', () => {
  it('mic:muteAll closes every opened microphone and mutes every bridge point but the host, the floor holder too', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'mic:set', siteId: DN, open: true });
    m.ok(A.chair, { type: 'floor:grant', siteId: HP });
    expect(isMicAllowed(m.record, DN)).toBe(true);
    expect(isMicAllowed(m.record, HP)).toBe(true);
    m.ok(A.operator, { type: 'mic:muteAll' });
    for (const id of [HN, HP, DN]) {
      expect(m.site(id).mutedByModerator).toBe(true);
      expect(isMicAllowed(m.record, id)).toBe(false);
    }
    expect(m.site(HOST).mutedByModerator).toBe(false);
    expect(isMicAllowed(m.record, HOST)).toBe(true);
    // The turn goes on, silent.
    expect(m.record.queue.floor?.siteId).toBe(HP);
  });

  it('a site muted by a moderator cannot reopen itself: unmuting its own button leaves it unheard', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    m.ok(A.operator, { type: 'mic:muteAll' });
    m.ok(A.hn, { type: 'mic:selfMute', muted: false });
    expect(micState(m.record, HN)).toEqual({ allowed: false, selfMuted: false, open: false });
    expect(audioWanted(m.record, { role: 'site', siteId: DN }, HN)).toBe(false);
  });

  it('a moderator reopens a muted site with mic:set, or by giving it the floor again', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'mic:muteAll' });
    m.ok(A.operator, { type: 'mic:set', siteId: HN, open: true });
    expect(isMicAllowed(m.record, HN)).toBe(true);
    m.ok(A.chair, { type: 'floor:grant', siteId: HP });
    expect(m.site(HP).mutedByModerator).toBe(false);
    expect(isMicAllowed(m.record, HP)).toBe(true);
  });

  it('a moderator mute survives the site reconnecting', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'mic:muteAll' });
    m.leave(A.hn).join(A.hn);
    expect(m.site(HN).mutedByModerator).toBe(true);
  });

  it('mic:muteAll is refused for a site, a secretary and an observer', () => {
    const { m } = liveMeeting();
    for (const who of [A.hn, A.secretary, A.observer]) {
      expect(m.refused(who, { type: 'mic:muteAll' }).code).toBe('FORBIDDEN');
    }
  });
});

describe('talk-back', () => {
  it('talkback:set lets the operator and one site hear each other, and nobody else hear the site', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'talkback:set', siteId: DN });
    expect(m.snapshot.moderation.talkBack).toEqual({ siteId: DN, operatorName: 'operator trung-uong' });
    expect(isMicAllowed(m.record, DN)).toBe(true);
    expect(audioWanted(m.record, { role: 'operator', siteId: null }, DN)).toBe(true);
    expect(audioWanted(m.record, { role: 'chair', siteId: HOST }, DN)).toBe(false);
    expect(audioWanted(m.record, { role: 'site', siteId: HN }, DN)).toBe(false);
    expect(audioWanted(m.record, { role: 'observer', siteId: null }, DN)).toBe(false);
    // The rest of the meeting is unchanged: everyone still hears the chair.
    expect(audioWanted(m.record, { role: 'site', siteId: DN }, HOST)).toBe(true);
    m.ok(A.operator, { type: 'talkback:set', siteId: null });
    expect(isMicAllowed(m.record, DN)).toBe(false);
  });

  it('a talk-back site holding the floor is heard by everyone, as the floor holder', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'talkback:set', siteId: HN });
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    expect(audioWanted(m.record, { role: 'site', siteId: DN }, HN)).toBe(true);
  });

  it('talkback:set is refused for the chair (FORBIDDEN), the host site (VALIDATION) and an absent site (INVALID_STATE)', () => {
    const { m } = liveMeeting();
    expect(m.refused(A.chair, { type: 'talkback:set', siteId: DN }).code).toBe('FORBIDDEN');
    expect(m.refused(A.operator, { type: 'talkback:set', siteId: HOST }).code).toBe('VALIDATION');
    m.leave(A.dn);
    expect(m.refused(A.operator, { type: 'talkback:set', siteId: DN }).code).toBe('INVALID_STATE');
  });

  it('the talk-back line drops when the meeting ends', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'talkback:set', siteId: DN });
    m.ok(A.chair, { type: 'meeting:end' });
    expect(m.snapshot.moderation.talkBack).toBeNull();
  });
});

describe('chat rules', () => {
  const base = (m: ReturnType<typeof liveMeeting>['m']) => ({
    status: m.record.meeting.status,
    moderation: m.record.moderation,
    sites: m.record.sites,
  });

  it('composeMessage keeps Vietnamese text composed (NFC) and trimmed', () => {
    const { m } = liveMeeting();
    const decomposed = '  Điểm cầu Hải Phòng xin phát biểu  '.normalize('NFD');
    const out = Chat.composeMessage(
      { ...base(m), actor: A.hp, text: decomposed, thread: null },
      'c1' as ChatMessageId,
      1,
    );
    expect(out.ok && out.value.text).toBe('Điểm cầu Hải Phòng xin phát biểu'.normalize('NFC'));
  });

  it('a site writes only in its own private thread; an operator in any; the chair in none', () => {
    const { m } = liveMeeting();
    const send = (actor: typeof A.hn, thread: SiteId) =>
      Chat.composeMessage({ ...base(m), actor, text: 'Kiểm tra âm thanh', thread }, 'c' as ChatMessageId, 1);
    expect(send(A.hn, HN).ok).toBe(true);
    expect(send(A.hn, HP).ok).toBe(false);
    expect(send(A.operator, HP).ok).toBe(true);
    expect(send(A.chair, HP).ok).toBe(false);
  });

  it('chat:mute silences one site: its messages are refused with FORBIDDEN until unmuted', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'chat:mute', siteId: HN, muted: true });
    expect(m.snapshot.moderation.chatMutedSiteIds).toEqual([HN]);
    const refused = Chat.composeMessage(
      { ...base(m), actor: A.hn, text: 'xin chào', thread: null },
      'c' as ChatMessageId,
      1,
    );
    expect(!refused.ok && refused.error.code).toBe('FORBIDDEN');
    expect(
      Chat.composeMessage(
        { ...base(m), actor: A.hp, text: 'xin chào', thread: null },
        'c' as ChatMessageId,
        1,
      ).ok,
    ).toBe(true);
    m.ok(A.chair, { type: 'chat:mute', siteId: HN, muted: false });
    expect(
      Chat.composeMessage(
        { ...base(m), actor: A.hn, text: 'xin chào', thread: null },
        'c' as ChatMessageId,
        1,
      ).ok,
    ).toBe(true);
  });

  it('observers read but may not write; empty and over-long messages are refused with VALIDATION', () => {
    const { m } = liveMeeting();
    const send = (actor: typeof A.hn, text: string) =>
      Chat.composeMessage({ ...base(m), actor, text, thread: null }, 'c' as ChatMessageId, 1);
    expect(send(A.observer, 'xin chào').ok).toBe(false);
    expect(Chat.mayRead(A.observer, { thread: null })).toBe(true);
    expect(Chat.mayRead(A.observer, { thread: HN })).toBe(false);
    const empty = send(A.hn, '   ');
    expect(!empty.ok && empty.error.code).toBe('VALIDATION');
    const long = send(A.hn, 'ơ'.repeat(2001));
    expect(!long.ok && long.error.code).toBe('VALIDATION');
  });

  it('foldChat replaces a deleted message by its tombstone; deleting twice is INVALID_STATE; a site may not delete', () => {
    const { m } = liveMeeting();
    const msg = Chat.composeMessage(
      { ...base(m), actor: A.hn, text: 'tin nhắn', thread: null },
      'c1' as ChatMessageId,
      1,
    );
    if (!msg.ok) throw msg.error;
    const messages = Chat.foldChat([{ kind: 'message', message: msg.value }]);
    expect(Chat.deleteMessage(messages, A.hp, msg.value.id, 2).ok).toBe(false);
    const deleted = Chat.deleteMessage(messages, A.operator, msg.value.id, 2);
    if (!deleted.ok) throw deleted.error;
    const after = Chat.foldChat([{ kind: 'message', message: msg.value }, deleted.value.entry]);
    expect(after[0]).toMatchObject({ text: '', deletedAt: 2, deletedBy: 'operator trung-uong (operator)' });
    const twice = Chat.deleteMessage(after, A.chair, msg.value.id, 3);
    expect(!twice.ok && twice.error.code).toBe('INVALID_STATE');
  });
});

describe('audit entries', () => {
  it('every moderator command of a meeting yields an entry naming who, when and what; site commands none', () => {
    const { m, items } = liveMeeting();
    const entries: AuditEntry[] = [];
    const run = (actor: typeof A.chair, cmd: PersonCommand) => {
      const before = m.record;
      m.ok(actor, cmd);
      const entry = auditEntryOf(before, m.record, actor, cmd, m.now);
      if (entry) entries.push(entry);
    };
    run(A.chair, { type: 'agenda:open', itemId: items[1] as NonNullable<(typeof items)[number]> });
    run(A.hn, { type: 'queue:request', topic: 'Vốn đầu tư công' });
    run(A.operator, { type: 'floor:grant', siteId: HN, seconds: 120 });
    run(A.operator, { type: 'floor:extend', seconds: 60 });
    run(A.chair, { type: 'floor:revoke' });
    run(A.operator, { type: 'stage:pin', siteId: DN });
    run(A.operator, { type: 'mic:set', siteId: HP, open: true });
    run(A.operator, { type: 'mic:muteAll' });
    run(A.operator, { type: 'talkback:set', siteId: DN });
    run(A.operator, { type: 'chat:mute', siteId: HN, muted: true });
    run(A.chair, { type: 'vote:open', question: 'Thông qua báo cáo', counting: 'site', secret: false });
    const voteId = m.record.votes[0]?.id;
    if (!voteId) throw new Error('no vote');
    run(A.hn, { type: 'vote:cast', voteId, choice: 0 });
    run(A.chair, { type: 'vote:close', voteId });
    expect(entries.map((e) => e.action)).toEqual([
      'agenda:open',
      'floor:grant',
      'floor:extend',
      'floor:revoke',
      'stage:pin',
      'mic:set',
      'mic:muteAll',
      'talkback:set',
      'chat:mute',
      'vote:open',
      'vote:close',
    ]);
    expect(entries[1]).toMatchObject({
      actorRole: 'operator',
      actorName: 'operator trung-uong',
      target: HN,
      at: m.now,
    });
    expect(entries[1]?.detail).toContain('120 s');
    expect(entries.at(-1)?.detail).toContain('Tán thành 1');
    // The floor log says who granted it.
    expect(m.record.queue.history[0]?.grantedBy).toBe('operator trung-uong (operator)');
  });

  it('AUDITED marks the grants, revocations, mutes, pins, agenda changes and votes', () => {
    for (const type of [
      'floor:grant',
      'floor:revoke',
      'floor:extend',
      'mic:set',
      'mic:muteAll',
      'stage:pin',
      'agenda:advance',
      'agenda:addItem',
      'agenda:removeItem',
      'vote:open',
      'vote:close',
      'talkback:set',
      'chat:mute',
    ] as const) {
      expect(AUDITED[type], type).toBe(true);
    }
  });
});
