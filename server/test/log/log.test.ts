import { describe, expect, it } from 'vitest';
import { jsonLine } from '../../src/log/log.js';

describe('log (LOG_FORMAT=json)', () => {
  it('jsonLine() writes one parseable object with level, scope, message and fields', () => {
    const line = jsonLine('info', 'ScheduleService.book()', 'booked', { meetings: 4, seriesId: 'x' });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({
      level: 'info',
      scope: 'ScheduleService.book()',
      msg: 'booked',
      meetings: 4,
      seriesId: 'x',
    });
    expect(Number.isNaN(Date.parse(JSON.parse(line).time))).toBe(false);
  });

  it('jsonLine() carries an error’s name, message and stack', () => {
    const parsed = JSON.parse(jsonLine('error', 'main', 'failed', undefined, new TypeError('boom')));
    expect(parsed.error).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(parsed.error.stack).toContain('boom');
  });
});
