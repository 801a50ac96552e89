import type { SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import {
  audioWanted,
  isMicAllowed,
  micState,
  programSiteId,
  programView,
  videoWanted,
} from '../../src/domain/MediaPolicy.js';
import { A, actor, DN, HN, HOST, HP, liveMeeting, techCheckMeeting } from './harness.js';

const none = new Set<SiteId>();

describe('MediaPolicy — program', () => {
  it('programSiteId() is the host when nobody has the floor and nothing is pinned', () => {
    const { m } = liveMeeting();
    expect(programSiteId(m.record)).toBe(HOST);
    expect(programView(m.record)).toEqual({ programSiteId: HOST, cornerSiteId: null });
  });

  it('programSiteId() follows the floor holder, with the chair in the corner', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    expect(programView(m.record)).toEqual({ programSiteId: HN, cornerSiteId: HOST });
  });

  it('programSiteId() prefers a pinned site over the floor holder', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    m.ok(A.operator, { type: 'stage:pin', siteId: DN });
    expect(programSiteId(m.record)).toBe(DN);
    m.ok(A.operator, { type: 'stage:pin', siteId: null });
    expect(programSiteId(m.record)).toBe(HN);
  });

  it('the snapshot carries the derived program site', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HP });
    expect(m.snapshot.stage).toEqual({ pinnedSiteId: null, programSiteId: HP });
  });
});

describe('MediaPolicy — microphones', () => {
  it('isMicAllowed() allows the host always and nobody else by default', () => {
    const { m } = liveMeeting();
    expect(isMicAllowed(m.record, HOST)).toBe(true);
    for (const s of [HN, HP, DN]) expect(isMicAllowed(m.record, s)).toBe(false);
  });

  it('isMicAllowed() allows the floor holder, and stops when the turn ends', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    expect(isMicAllowed(m.record, HN)).toBe(true);
    expect(isMicAllowed(m.record, HP)).toBe(false);
    m.ok(A.chair, { type: 'floor:revoke' });
    expect(isMicAllowed(m.record, HN)).toBe(false);
  });

  it('isMicAllowed() allows a site a moderator opened', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'mic:set', siteId: DN, open: true });
    expect(isMicAllowed(m.record, DN)).toBe(true);
  });

  it('isMicAllowed() allows nobody once the meeting has ended', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'meeting:end' });
    expect(isMicAllowed(m.record, HOST)).toBe(false);
  });

  it('micState() is open only when allowed and not self-muted; a site cannot open itself against the policy', () => {
    const { m } = liveMeeting();
    m.ok(A.hn, { type: 'mic:selfMute', muted: false });
    expect(micState(m.record, HN)).toEqual({ allowed: false, selfMuted: false, open: false });
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    expect(micState(m.record, HN)).toEqual({ allowed: true, selfMuted: false, open: true });
    m.ok(A.hn, { type: 'mic:selfMute', muted: true });
    expect(micState(m.record, HN)).toEqual({ allowed: true, selfMuted: true, open: false });
  });

  it('audioWanted() sends every allowed microphone except the own room', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    expect(audioWanted(m.record, A.hp, HN)).toBe(true);
    expect(audioWanted(m.record, A.hp, HOST)).toBe(true);
    expect(audioWanted(m.record, A.hp, DN)).toBe(false);
    expect(audioWanted(m.record, A.hn, HN)).toBe(false);
  });
});

describe('MediaPolicy — video layers', () => {
  const view = { programSiteId: HN, cornerSiteId: HOST };

  it('videoWanted() sends the program at the high layer to everyone', () => {
    for (const viewer of [A.hp, A.observer, A.secretary, A.chair, A.operator]) {
      expect(videoWanted(viewer, HN, view, none)).toEqual({ resume: true, spatialLayer: 2 });
    }
  });

  it("videoWanted() sends the chair's corner picture at the medium layer", () => {
    expect(videoWanted(A.hp, HOST, view, none)).toEqual({ resume: true, spatialLayer: 1 });
  });

  it('videoWanted() sends grid tiles at the lowest layer to moderators only, and pauses hidden tiles', () => {
    const visible = new Set<SiteId>([HP, DN]);
    expect(videoWanted(A.operator, HP, view, visible)).toEqual({ resume: true, spatialLayer: 0 });
    expect(videoWanted(A.chair, DN, view, new Set([HP]))).toEqual({ resume: false, spatialLayer: 0 });
    expect(videoWanted(A.hn, HP, view, visible).resume).toBe(false);
    expect(videoWanted(A.observer, HP, view, visible).resume).toBe(false);
    expect(videoWanted(A.secretary, HP, view, visible).resume).toBe(false);
  });

  it('videoWanted() keeps the program at the high layer even when it is also a visible grid tile', () => {
    expect(videoWanted(A.operator, HN, view, new Set([HN]))).toEqual({ resume: true, spatialLayer: 2 });
  });

  it('videoWanted() never sends a room its own camera', () => {
    expect(videoWanted(A.hn, HN, view, none).resume).toBe(false);
    expect(videoWanted(A.chair, HOST, view, new Set([HOST])).resume).toBe(false);
    expect(videoWanted(actor('observer'), null, view, none).resume).toBe(false);
  });
});

describe('MediaPolicy — the technical check is private', () => {
  const site = (id: SiteId) => ({ role: 'site' as const, siteId: id });
  const observer = { role: 'observer' as const, siteId: null };
  // An operator working from outside the host room (in the room it hears the chair there).
  const operator = { role: 'operator' as const, siteId: null };

  it('before the meeting is live, no site or observer hears the chair; the moderators do', () => {
    const { m } = techCheckMeeting();
    expect(audioWanted(m.record, site(HN), HOST)).toBe(false);
    expect(audioWanted(m.record, observer, HOST)).toBe(false);
    expect(audioWanted(m.record, operator, HOST)).toBe(true);
  });

  it('techCheck:talkTo opens the chair to that one site, and its answer reaches only the moderators', () => {
    const { m } = techCheckMeeting();
    m.ok(A.operator, { type: 'techCheck:talkTo', siteId: HN });
    expect(m.snapshot.meeting.techCheckTalkTo).toBe(HN);
    expect(audioWanted(m.record, site(HN), HOST)).toBe(true);
    expect(audioWanted(m.record, site(DN), HOST)).toBe(false);
    expect(audioWanted(m.record, observer, HOST)).toBe(false);
    expect(isMicAllowed(m.record, HN)).toBe(true);
    expect(audioWanted(m.record, operator, HN)).toBe(true);
    expect(audioWanted(m.record, site(DN), HN)).toBe(false);
    m.ok(A.chair, { type: 'techCheck:talkTo', siteId: null });
    expect(audioWanted(m.record, site(HN), HOST)).toBe(false);
    expect(isMicAllowed(m.record, HN)).toBe(false);
  });

  it('going live ends the private line: every site hears the chair', () => {
    const { m } = techCheckMeeting();
    m.ok(A.chair, { type: 'techCheck:talkTo', siteId: HN });
    m.ok(A.chair, { type: 'meeting:goLive' });
    expect(m.snapshot.meeting.techCheckTalkTo).toBeNull();
    for (const viewer of [site(HN), site(DN), observer])
      expect(audioWanted(m.record, viewer, HOST)).toBe(true);
  });

  it('techCheck:talkTo() is refused once live, for the host site, for an unknown site and for a site', () => {
    const { m } = techCheckMeeting();
    expect(m.refused(A.chair, { type: 'techCheck:talkTo', siteId: HOST }).code).toBe('VALIDATION');
    expect(m.refused(A.chair, { type: 'techCheck:talkTo', siteId: 'ca-mau' as SiteId }).code).toBe(
      'NOT_FOUND',
    );
    expect(m.refused(A.hn, { type: 'techCheck:talkTo', siteId: HN }).code).toBe('FORBIDDEN');
    m.ok(A.chair, { type: 'meeting:goLive' });
    expect(m.refused(A.chair, { type: 'techCheck:talkTo', siteId: HN }).code).toBe('INVALID_STATE');
  });
});
