import type { DirectorySite } from '@giaoban/shared';

/** Lower-case without Vietnamese diacritics, so "ha noi" finds "Hà Nội" and "dak lak" finds "Đắk Lắk". */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .trim();
}

/** Kinds of directory entries the filter offers. */
export type KindFilter = DirectorySite['kind'] | 'all';

/** Sites whose name, region or former provinces match the query, of the chosen kind. */
export function filterSites(sites: DirectorySite[], query: string, kind: KindFilter): DirectorySite[] {
  const q = foldVietnamese(query);
  return sites.filter((s) => {
    if (kind !== 'all' && s.kind !== kind) return false;
    if (!q) return true;
    const hay = foldVietnamese([s.name, s.region, ...s.mergedFrom].join(' '));
    return hay.includes(q);
  });
}

/** Adds or removes every listed site from a selection (the "select all shown" box). */
export function toggleAll(selected: ReadonlySet<string>, shown: DirectorySite[], on: boolean): Set<string> {
  const next = new Set(selected);
  for (const s of shown) {
    if (on) next.add(s.id);
    else next.delete(s.id);
  }
  return next;
}
