import type { DirectorySite, SiteId } from '@giaoban/shared';
import provinces from './provinces-vn-2025.json' with { type: 'json' };

/** The central host site: where the chair presides in a national briefing. */
export const CENTRAL_HOST_SITE_ID = 'trung-uong' as SiteId;

/** ASCII slug of a Vietnamese name, used as a stable site id: "Thành phố Hồ Chí Minh" → "thanh-pho-ho-chi-minh". */
export function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * The sites directory a fresh hub starts with: a central host site and Vietnam's 34
 * provincial-level units in force since 1 July 2025 (Resolution 202/2025/QH15).
 */
export function seedDirectory(): DirectorySite[] {
  const host: DirectorySite = {
    id: CENTRAL_HOST_SITE_ID,
    name: 'Điểm cầu Trung ương',
    region: 'Hà Nội',
    kind: 'central',
    mergedFrom: [],
    parentId: null,
  };
  const units = provinces.units.map(
    (u): DirectorySite => ({
      id: slugify(u.name) as SiteId,
      name: u.name,
      region: u.name,
      kind: u.kind === 'city' ? 'city' : 'province',
      mergedFrom: [...u.mergedFrom],
      parentId: null,
    }),
  );
  return [host, ...units];
}
