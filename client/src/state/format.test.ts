import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/i18n';
import {
  formatCountdown,
  formatElapsed,
  formatNumber,
  fromVietnamDateTimeInput,
  totalsText,
  toVietnamDateTimeInput,
  vietnamMorning,
} from './format';

describe('format', () => {
  it('formats a countdown as m:ss, rounding up', () => {
    expect(formatCountdown(161_000)).toBe('2:41');
    expect(formatCountdown(160_001)).toBe('2:41');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5)).toBe('0:00');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(59_999)).toBe('0:59');
  });

  it('groups thousands the Vietnamese way in Vietnamese', () => {
    expect(formatNumber(1214, 'vi')).toBe('1.214');
    expect(formatNumber(1214, 'en')).toBe('1,214');
  });

  it('writes roll-call totals as "58/64 điểm cầu · 1.214 đại biểu"', () => {
    const totals = { invitedSites: 64, connectedSites: 58, mediaSites: 57, delegates: 1214 };
    expect(totalsText(totals, (k, p) => translate('vi', k, p), 'vi')).toBe('58/64 điểm cầu · 1.214 đại biểu');
    expect(totalsText(totals, (k, p) => translate('en', k, p), 'en')).toBe(
      '58/64 bridge points · 1,214 delegates',
    );
  });

  it('date-time fields read and show Vietnam time, whatever the browser zone', () => {
    // 08:30 in Hà Nội is 01:30 UTC.
    const at = Date.UTC(2026, 10, 21, 1, 30);
    expect(toVietnamDateTimeInput(at)).toBe('2026-11-21T08:30');
    expect(fromVietnamDateTimeInput('2026-11-21T08:30')).toBe(at);
    // Past midnight in Vietnam is still the previous day in UTC.
    expect(toVietnamDateTimeInput(Date.UTC(2026, 11, 31, 17, 0))).toBe('2027-01-01T00:00');
    expect(fromVietnamDateTimeInput('2027-01-01T00:00')).toBe(Date.UTC(2026, 11, 31, 17, 0));
  });

  it('fromVietnamDateTimeInput() refuses empty, malformed and impossible values', () => {
    expect(fromVietnamDateTimeInput('')).toBeNull();
    expect(fromVietnamDateTimeInput('21/11/2026 08:30')).toBeNull();
    expect(fromVietnamDateTimeInput('2026-02-30T08:00')).toBeNull();
  });

  it('vietnamMorning() is 08:00 in Vietnam on the given day', () => {
    // 20:00 UTC on 5 Dec is already 03:00 on 6 Dec in Vietnam: tomorrow there is 7 Dec.
    expect(toVietnamDateTimeInput(vietnamMorning(Date.UTC(2026, 11, 5, 20, 0), 1))).toBe('2026-12-07T08:00');
  });
});
