import type { DirectorySite } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { filterSites, foldVietnamese, toggleAll } from './directoryFilter';
import { parseRoute } from './router';

const dir = (
  id: string,
  name: string,
  kind: DirectorySite['kind'],
  mergedFrom: string[] = [],
): DirectorySite => ({
  id: id as DirectorySite['id'],
  name,
  region: '',
  kind,
  mergedFrom,
  parentId: null,
});

const sites = [
  dir('hn', 'Hà Nội', 'city'),
  dir('dl', 'Đắk Lắk', 'province', ['Phú Yên']),
  dir('hcm', 'Thành phố Hồ Chí Minh', 'city', ['Bình Dương', 'Bà Rịa - Vũng Tàu']),
];

describe('directory search', () => {
  it('folds Vietnamese diacritics and đ', () => {
    expect(foldVietnamese('Đắk Lắk')).toBe('dak lak');
    expect(foldVietnamese('  Hà Nội ')).toBe('ha noi');
  });

  it('finds sites without diacritics, by former province, and by kind', () => {
    expect(filterSites(sites, 'ha noi', 'all').map((s) => s.id)).toEqual(['hn']);
    expect(filterSites(sites, 'binh duong', 'all').map((s) => s.id)).toEqual(['hcm']);
    expect(filterSites(sites, '', 'province').map((s) => s.id)).toEqual(['dl']);
    expect(filterSites(sites, 'phu yen', 'city')).toEqual([]);
  });

  it('selects and clears every shown site', () => {
    const all = toggleAll(new Set(['x']), sites, true);
    expect([...all].sort()).toEqual(['dl', 'hcm', 'hn', 'x']);
    expect([...toggleAll(all, sites.slice(0, 2), false)].sort()).toEqual(['hcm', 'x']);
  });
});

describe('parseRoute()', () => {
  it('maps fragments to organizer pages', () => {
    expect(parseRoute('')).toEqual({ page: 'meetings' });
    expect(parseRoute('#/meetings/new')).toEqual({ page: 'new' });
    expect(parseRoute('#/meetings/abc%20d')).toEqual({ page: 'meeting', id: 'abc d' });
    expect(parseRoute('#/calendar')).toEqual({ page: 'calendar' });
    expect(parseRoute('#/statistics')).toEqual({ page: 'statistics' });
  });
});
