import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/i18n';
import {
  formatCountdown,
  formatElapsed,
  formatNumber,
  fromDateTimeLocal,
  toDateTimeLocal,
  totalsText,
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

  it('round-trips datetime-local values', () => {
    const at = new Date(2026, 10, 21, 8, 30).getTime();
    expect(fromDateTimeLocal(toDateTimeLocal(at))).toBe(at);
    expect(fromDateTimeLocal('')).toBeNull();
  });
});
