import { describe, expect, it } from 'vitest';
import { ConclusionHistory, type ConclusionTexts } from '../../src/workspace/ConclusionHistory.js';

const texts = (before: Record<string, string>, after: Record<string, string>): ConclusionTexts => ({
  before: (id) => before[id] ?? '',
  after: (id) => after[id] ?? '',
});

describe('ConclusionHistory', () => {
  it('record() writes creations at once and keeps a burst of edits open until it is closed', () => {
    let now = 100;
    const history = new ConclusionHistory(() => now);
    expect(history.record('m', 'Một', new Map([['c1', 'created']]), texts({}, { c1: 'A' }))).toEqual([
      { conclusionId: 'c1', action: 'created', by: 'Một', at: 100, text: 'A' },
    ]);
    now = 200;
    expect(history.record('m', 'Một', new Map([['c1', 'edited']]), texts({ c1: 'A' }, { c1: 'AB' }))).toEqual(
      [],
    );
    now = 300;
    expect(
      history.record('m', 'Một', new Map([['c1', 'edited']]), texts({ c1: 'AB' }, { c1: 'ABC' })),
    ).toEqual([]);
    expect(history.hasOpen('m')).toBe(true);
    expect(history.close('m', texts({}, { c1: 'ABC' }))).toEqual([
      { conclusionId: 'c1', action: 'edited', by: 'Một', at: 300, text: 'ABC' },
    ]);
    expect(history.hasOpen('m')).toBe(false);
  });

  it("another person's edit ends the open burst, with the text it left", () => {
    const history = new ConclusionHistory(() => 1);
    history.record('m', 'Một', new Map([['c1', 'edited']]), texts({ c1: 'A' }, { c1: 'AB' }));
    expect(
      history.record('m', 'Hai', new Map([['c1', 'edited']]), texts({ c1: 'AB' }, { c1: 'ABX' })),
    ).toEqual([{ conclusionId: 'c1', action: 'edited', by: 'Một', at: 1, text: 'AB' }]);
    expect(history.close('m', texts({}, { c1: 'ABX' }))).toMatchObject([{ by: 'Hai', text: 'ABX' }]);
  });

  it('a deletion ends the burst and records the text before it', () => {
    const history = new ConclusionHistory(() => 1);
    history.record('m', 'Một', new Map([['c1', 'edited']]), texts({ c1: 'A' }, { c1: 'AB' }));
    expect(
      history
        .record('m', 'Hai', new Map([['c1', 'deleted']]), texts({ c1: 'AB' }, {}))
        .map((l) => [l.action, l.by, l.text]),
    ).toEqual([
      ['edited', 'Một', 'AB'],
      ['deleted', 'Hai', 'AB'],
    ]);
    expect(history.hasOpen('m')).toBe(false);
  });
});
