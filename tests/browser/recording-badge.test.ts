/**
 * Recording seen in the client, in headless Chromium through the real hub: the chair starts
 * recording from the console (button found by its accessible name), every page — the chair's, a
 * bridge point's, an observer's — shows "● Đang ghi hình"; only the chair has the controls; the
 * chair stops it and the badge goes everywhere.
 */
import type { MeetingId, SiteId } from '@giaoban/shared';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import { type ClientPage, openPage } from './client-pages.js';

const SITE = 'hue' as SiteId;

describe('client: the recording badge and controls', () => {
  let fx: MeetingFixture;
  let browser: Browser;
  let chair: ClientPage;
  let site: ClientPage;
  let observer: ClientPage;
  const joinUrl = (name: string) => `${fx.url}/join#${fx.links[name]?.token}`;

  beforeAll(async () => {
    fx = await setupMeeting([SITE], {
      chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
      site: { role: 'site', siteId: SITE },
      observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await fx?.hub.stop();
  });

  it('the chair starts recording; every page shows "● Đang ghi hình"; only the chair has the controls; stop clears it', async () => {
    chair = await openPage(browser, joinUrl('chair'));
    site = await openPage(browser, joinUrl('site'), { width: 1366, height: 768 });
    observer = await openPage(browser, joinUrl('observer'), { width: 1366, height: 768 });
    await chair.page.getByTestId('console-view').waitFor();
    await chair.page.getByRole('button', { name: 'Mở kiểm tra kỹ thuật' }).click();
    await site.page.getByTestId('site-view').waitFor();
    await observer.page.getByTestId('observer-view').waitFor();
    // Not live yet: nobody may start it.
    expect(await chair.page.getByRole('button', { name: 'Bắt đầu ghi hình' }).count()).toBe(0);
    await chair.page.getByRole('button', { name: 'Bắt đầu hội nghị' }).click();

    await chair.page.getByRole('button', { name: 'Bắt đầu ghi hình' }).click();
    for (const p of [chair, site, observer]) {
      await p.page.getByRole('status').filter({ hasText: '● Đang ghi hình' }).waitFor();
    }
    for (const p of [site, observer]) {
      expect(await p.page.getByRole('button', { name: /ghi hình/ }).count()).toBe(0);
    }
    const recording = fx.hub.parts.recording.service;
    const meetingId = fx.meetingId as MeetingId;
    expect((await fx.hub.parts.meetings.get(meetingId)).moderation.recording?.by).toContain(
      'Đồng chí Chủ trì',
    );

    await chair.page.getByRole('button', { name: 'Dừng ghi hình' }).click();
    for (const p of [chair, site, observer]) {
      await p.page.getByRole('status').filter({ hasText: '● Đang ghi hình' }).waitFor({ state: 'detached' });
    }
    await chair.page.getByRole('button', { name: 'Bắt đầu ghi hình' }).waitFor();
    await recording.settled(meetingId);
    expect(recording.recorderOf(meetingId)).toBeUndefined();
    const errors = [chair, site, observer].flatMap((p) => p.errors);
    expect(errors.filter((e) => !/ERR_NETWORK_CHANGED|net::ERR_ABORTED|ERR_CONNECTION/.test(e))).toEqual([]);
  });
});
