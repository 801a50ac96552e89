/**
 * The Vietnamese lunisolar calendar, computed for UTC+7 (the time zone Vietnam has used for the
 * calendar since 1968; China's UTC+8 gives a different Tết in some years, e.g. 1985).
 *
 * The method is the one Hồ Ngọc Đức published for the Vietnamese calendar: new moons from Meeus'
 * series (Astronomical Algorithms, ch. 49, truncated), the Sun's longitude from its low-precision
 * series (ch. 25); a month starts on the local day of its new moon; month 11 is the month that
 * holds the winter solstice; in a 13-month year the leap month is the first one without a major
 * solar term (trung khí). Written here from those rules; valid for 1900–2199.
 */

/** A day of the proleptic Gregorian calendar. */
export interface SolarDate {
  year: number;
  month: number;
  day: number;
}

/** A day of the lunar calendar; `leap` marks a day of the leap (nhuận) month. */
export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

/** Vietnam's offset from UTC in hours. */
const TIME_ZONE = 7;
/** Mean synodic month in days. */
const SYNODIC_MONTH = 29.530588853;
/** Julian day of the new moon of 1900-01-01 (the origin of the lunation count k). */
const NEW_MOON_EPOCH = 2415021.076998695;
const RAD = Math.PI / 180;

/** Julian day number (noon-based, integer) of a Gregorian date. */
export function julianDay(date: SolarDate): number {
  const a = Math.floor((14 - date.month) / 12);
  const y = date.year + 4800 - a;
  const m = date.month + 12 * a - 3;
  return (
    date.day +
    Math.floor((153 * m + 2) / 5) +
    365 * y +
    Math.floor(y / 4) -
    Math.floor(y / 100) +
    Math.floor(y / 400) -
    32045
  );
}

/** The Gregorian date of a Julian day number. */
export function fromJulianDay(jd: number): SolarDate {
  const a = jd + 32044;
  const b = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * b) / 4);
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: 100 * b + d - 4800 + Math.floor(m / 10),
  };
}

/** Julian date (fractional, UT) of the k-th new moon after 1900-01-01. */
function newMoon(k: number): number {
  const t = k / 1236.85;
  const t2 = t * t;
  const t3 = t2 * t;
  const mean =
    2415020.75933 +
    29.53058868 * k +
    0.0001178 * t2 -
    0.000000155 * t3 +
    0.00033 * Math.sin((166.56 + 132.87 * t - 0.009173 * t2) * RAD);
  const sunAnomaly = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * RAD;
  const moonAnomaly = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * RAD;
  const latitude = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * RAD;
  const correction =
    (0.1734 - 0.000393 * t) * Math.sin(sunAnomaly) +
    0.0021 * Math.sin(2 * sunAnomaly) -
    0.4068 * Math.sin(moonAnomaly) +
    0.0161 * Math.sin(2 * moonAnomaly) -
    0.0004 * Math.sin(3 * moonAnomaly) +
    0.0104 * Math.sin(2 * latitude) -
    0.0051 * Math.sin(sunAnomaly + moonAnomaly) -
    0.0074 * Math.sin(sunAnomaly - moonAnomaly) +
    0.0004 * Math.sin(2 * latitude + sunAnomaly) -
    0.0004 * Math.sin(2 * latitude - sunAnomaly) -
    0.0006 * Math.sin(2 * latitude + moonAnomaly) +
    0.001 * Math.sin(2 * latitude - moonAnomaly) +
    0.0005 * Math.sin(2 * moonAnomaly + sunAnomaly);
  // ΔT (terrestrial minus universal time), in days.
  const deltaT =
    t < -11
      ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
      : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return mean + correction - deltaT;
}

/** The Sun's apparent longitude in radians, [0, 2π), at a Julian date (UT). */
function sunLongitude(jd: number): number {
  const t = (jd - 2451545.0) / 36525;
  const t2 = t * t;
  const anomaly = (357.5291 + 35999.0503 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * RAD;
  const meanLongitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  const center =
    (1.9146 - 0.004817 * t - 0.000014 * t2) * Math.sin(anomaly) +
    (0.019993 - 0.000101 * t) * Math.sin(2 * anomaly) +
    0.00029 * Math.sin(3 * anomaly);
  const l = (meanLongitude + center) * RAD;
  return l - 2 * Math.PI * Math.floor(l / (2 * Math.PI));
}

/** Julian day number of the local (UTC+7) day of the k-th new moon. */
function newMoonDay(k: number): number {
  return Math.floor(newMoon(k) + 0.5 + TIME_ZONE / 24);
}

/** Which 30° sector (0–11) the Sun is in at the start of a local day; sector 9 begins at the winter solstice. */
function solarSector(dayNumber: number): number {
  return Math.floor((sunLongitude(dayNumber - 0.5 - TIME_ZONE / 24) / Math.PI) * 6);
}

/** Julian day number of the first day of lunar month 11 (the solstice month) of a Gregorian year. */
function month11Start(year: number): number {
  const k = Math.floor((julianDay({ year, month: 12, day: 31 }) - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  const start = newMoonDay(k);
  // A month that starts after the solstice is month 12 (or a later 11): month 11 began one lunation earlier.
  return solarSector(start) >= 9 ? newMoonDay(k - 1) : start;
}

/**
 * In a 13-month year beginning at `a11`, the offset (in months after month 11) of the leap month:
 * the first month during which the Sun enters no new sector.
 */
function leapMonthOffset(a11: number): number {
  const k = Math.floor((a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let sector = solarSector(newMoonDay(k + i));
  let previous: number;
  do {
    previous = sector;
    i++;
    sector = solarSector(newMoonDay(k + i));
  } while (sector !== previous && i < 14);
  return i - 1;
}

/** The lunar date of a Gregorian date (Vietnamese calendar, UTC+7). */
export function toLunar(date: SolarDate): LunarDate {
  const dayNumber = julianDay(date);
  const k = Math.floor((dayNumber - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  let monthStart = newMoonDay(k + 1);
  if (monthStart > dayNumber) monthStart = newMoonDay(k);
  let a11 = month11Start(date.year);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = date.year;
    a11 = month11Start(date.year - 1);
  } else {
    lunarYear = date.year + 1;
    b11 = month11Start(date.year + 1);
  }
  const diff = Math.floor((monthStart - a11) / 29);
  let month = diff + 11;
  let leap = false;
  if (b11 - a11 > 365) {
    const leapDiff = leapMonthOffset(a11);
    if (diff >= leapDiff) {
      month = diff + 10;
      leap = diff === leapDiff;
    }
  }
  if (month > 12) month -= 12;
  if (month >= 11 && diff < 4) lunarYear -= 1;
  return { year: lunarYear, month, day: dayNumber - monthStart + 1, leap };
}

/**
 * The Gregorian date of a lunar date. Throws RangeError when `leap` is set for a month that is not
 * that year's leap month.
 */
export function fromLunar(date: LunarDate): SolarDate {
  const [a11, b11] =
    date.month < 11
      ? [month11Start(date.year - 1), month11Start(date.year)]
      : [month11Start(date.year), month11Start(date.year + 1)];
  const k = Math.floor(0.5 + (a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  let offset = date.month - 11;
  if (offset < 0) offset += 12;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11);
    let leapMonth = leapOffset - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (date.leap && date.month !== leapMonth) {
      throw new RangeError(`fromLunar() | lunar year ${date.year} has no leap month ${date.month}`);
    }
    if (date.leap || offset >= leapOffset) offset += 1;
  } else if (date.leap) {
    throw new RangeError(`fromLunar() | lunar year ${date.year} has no leap month`);
  }
  return fromJulianDay(newMoonDay(k + offset) + date.day - 1);
}

/** Tết Nguyên Đán (1st day of the 1st lunar month) of the lunar year that begins in Gregorian `year`. */
export function tet(year: number): SolarDate {
  return fromLunar({ year, month: 1, day: 1, leap: false });
}
