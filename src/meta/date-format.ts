/**
 * Moment.js-style date formatting (the `{{date 'FORMAT' tz='Zone'}}` expressions), English locale,
 * with time zones from `Intl`. Tokens: years (`YYYY`, `YY`, `Y`, `gggg`, `GGGG`, `y`), quarters
 * (`Q`), months (`M`, `MM`, `MMM`, `MMMM`), weeks (`w`, `ww`, `W`, `WW`), days (`D`, `DD`, `DDD`,
 * `DDDD`, `d`, `dd`, `ddd`, `dddd`, `e`, `E`), ordinals (`Mo`, `Do`, `DDDo`, `do`, `wo`, `Wo`,
 * `Qo`, `yo`), time (`H`, `HH`, `h`, `hh`, `k`, `kk`, `m`, `mm`, `s`, `ss`, `S`…`SSSSSSSSS`, `A`,
 * `a`), zone (`Z`, `ZZ`, `z`, `zz`), epoch (`X`, `x`), eras (`N`…`NNNNN`), localized formats
 * (`LT`, `LTS`, `L`…`LLLL`, `l`…`llll`), `[literal text]` and `\`-escaped characters.
 * Without a format, the ISO form moment uses: `2020-01-10T00:30:00Z` (offset zero) or
 * `2020-01-10T09:30:00+09:00`.
 */

export class DateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DateFormatError';
  }
}

/** A moment in one time zone, as a clock on the wall shows it. */
export interface WallTime {
  year: number;
  month: number; // 0-11
  day: number; // 1-31
  weekday: number; // 0 (Sunday) - 6
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC. */
  offset: number;
  zone: string;
  epochMs: number;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const LONG_FORMATS: Record<string, string> = {
  LTS: 'h:mm:ss A',
  LT: 'h:mm A',
  L: 'MM/DD/YYYY',
  LL: 'MMMM D, YYYY',
  LLL: 'MMMM D, YYYY h:mm A',
  LLLL: 'dddd, MMMM D, YYYY h:mm A',
  l: 'M/D/YYYY',
  ll: 'MMM D, YYYY',
  lll: 'MMM D, YYYY h:mm A',
  llll: 'ddd, MMM D, YYYY h:mm A',
};

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatterCache.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw new DateFormatError(`unknown time zone "${timeZone}"`);
    }
    formatterCache.set(timeZone, f);
  }
  return f;
}

/** Throws DateFormatError when `timeZone` is not an IANA zone Intl knows. */
export function checkTimeZone(timeZone: string): void {
  zoneFormatter(timeZone);
}

export function wallTime(date: Date, timeZone = 'UTC'): WallTime {
  const epochMs = date.getTime();
  if (Number.isNaN(epochMs)) throw new DateFormatError('invalid date');
  const parts: Record<string, string> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(date)) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const month = Number(parts.month) - 1;
  const day = Number(parts.day);
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const millisecond = ((epochMs % 1000) + 1000) % 1000;
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(year, month, day);
  asUtc.setUTCHours(hour, minute, second, millisecond);
  const offset = Math.round((asUtc.getTime() - epochMs) / 60000);
  const weekday = asUtc.getUTCDay();
  return { year, month, day, weekday, hour, minute, second, millisecond, offset, zone: timeZone, epochMs };
}

function zeroFill(n: number, width: number, forceSign = false): string {
  const abs = String(Math.abs(n));
  const sign = n >= 0 ? (forceSign ? '+' : '') : '-';
  return sign + '0'.repeat(Math.max(0, width - abs.length)) + abs;
}

function ordinal(n: number): string {
  const b = n % 10;
  const suffix =
    Math.trunc((n % 100) / 10) === 1 ? 'th' : b === 1 ? 'st' : b === 2 ? 'nd' : b === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function dayOfYear(t: WallTime): number {
  return Math.round((Date.UTC(t.year, t.month, t.day) - Date.UTC(t.year, 0, 1)) / 86400000) + 1;
}

/** Day of the year before which week 1 starts (may be ≤ 0). `dow`: first day of week, `doy`: dow + 6 - the January day always in week 1. */
function firstWeekOffset(year: number, dow: number, doy: number): number {
  const fwd = 7 + dow - doy;
  const d = new Date(0);
  d.setUTCFullYear(year, 0, fwd);
  const fwdlw = (7 + d.getUTCDay() - dow) % 7;
  return -fwdlw + fwd - 1;
}

function weeksInYear(year: number, dow: number, doy: number): number {
  const days = isLeap(year) ? 366 : 365;
  return (days - firstWeekOffset(year, dow, doy) + firstWeekOffset(year + 1, dow, doy)) / 7;
}

function weekOfYear(t: WallTime, dow: number, doy: number): { week: number; year: number } {
  const week = Math.floor((dayOfYear(t) - firstWeekOffset(t.year, dow, doy) - 1) / 7) + 1;
  if (week < 1) return { year: t.year - 1, week: week + weeksInYear(t.year - 1, dow, doy) };
  const inYear = weeksInYear(t.year, dow, doy);
  if (week > inYear) return { year: t.year + 1, week: week - inYear };
  return { year: t.year, week };
}

const ISO = [1, 4] as const; // ISO 8601: weeks start Monday, Jan 4th is in week 1
const LOCALE = [0, 6] as const; // en: weeks start Sunday, Jan 1st is in week 1

function offsetString(offset: number, sep: string): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return sign + zeroFill(Math.trunc(abs / 60), 2) + sep + zeroFill(abs % 60, 2);
}

function zoneAbbr(t: WallTime): string {
  const z = t.zone.toUpperCase();
  if (z === 'UTC' || z === 'ETC/UTC' || z === 'ETC/UCT' || z === 'UCT' || z === 'ZULU' || z === 'ETC/ZULU')
    return 'UTC';
  const name = new Intl.DateTimeFormat('en-US', { timeZone: t.zone, timeZoneName: 'short' })
    .formatToParts(new Date(t.epochMs))
    .find((p) => p.type === 'timeZoneName')?.value;
  return name ?? '';
}

type TokenFn = (t: WallTime) => string;

function fraction(digits: number): TokenFn {
  return (t) => {
    const ms = t.millisecond;
    if (digits === 1) return String(Math.floor(ms / 100));
    if (digits === 2) return zeroFill(Math.floor(ms / 10), 2);
    return zeroFill(ms * 10 ** (digits - 3), digits);
  };
}

const h12 = (t: WallTime): number => t.hour % 12 || 12;

const TOKENS: Record<string, TokenFn> = {
  M: (t) => String(t.month + 1),
  MM: (t) => zeroFill(t.month + 1, 2),
  MMM: (t) => MONTHS[t.month]!.slice(0, 3),
  MMMM: (t) => MONTHS[t.month]!,
  Mo: (t) => ordinal(t.month + 1),
  Q: (t) => String(Math.ceil((t.month + 1) / 3)),
  Qo: (t) => ordinal(Math.ceil((t.month + 1) / 3)),
  D: (t) => String(t.day),
  DD: (t) => zeroFill(t.day, 2),
  Do: (t) => ordinal(t.day),
  DDD: (t) => String(dayOfYear(t)),
  DDDD: (t) => zeroFill(dayOfYear(t), 3),
  DDDo: (t) => ordinal(dayOfYear(t)),
  d: (t) => String(t.weekday),
  do: (t) => ordinal(t.weekday),
  dd: (t) => WEEKDAYS[t.weekday]!.slice(0, 2),
  ddd: (t) => WEEKDAYS[t.weekday]!.slice(0, 3),
  dddd: (t) => WEEKDAYS[t.weekday]!,
  e: (t) => String((t.weekday + 7 - LOCALE[0]) % 7),
  E: (t) => String(t.weekday || 7),
  w: (t) => String(weekOfYear(t, ...LOCALE).week),
  ww: (t) => zeroFill(weekOfYear(t, ...LOCALE).week, 2),
  wo: (t) => ordinal(weekOfYear(t, ...LOCALE).week),
  W: (t) => String(weekOfYear(t, ...ISO).week),
  WW: (t) => zeroFill(weekOfYear(t, ...ISO).week, 2),
  Wo: (t) => ordinal(weekOfYear(t, ...ISO).week),
  gg: (t) => zeroFill(weekOfYear(t, ...LOCALE).year % 100, 2),
  gggg: (t) => zeroFill(weekOfYear(t, ...LOCALE).year, 4),
  ggggg: (t) => zeroFill(weekOfYear(t, ...LOCALE).year, 5),
  GG: (t) => zeroFill(weekOfYear(t, ...ISO).year % 100, 2),
  GGGG: (t) => zeroFill(weekOfYear(t, ...ISO).year, 4),
  GGGGG: (t) => zeroFill(weekOfYear(t, ...ISO).year, 5),
  Y: (t) => (t.year <= 9999 ? zeroFill(t.year, 4) : `+${t.year}`),
  YY: (t) => zeroFill(t.year % 100, 2),
  YYYY: (t) => zeroFill(t.year, 4),
  YYYYY: (t) => zeroFill(t.year, 5),
  YYYYYY: (t) => zeroFill(t.year, 6, true),
  y: (t) => String(t.year > 0 ? t.year : 1 - t.year),
  yy: (t) => zeroFill(t.year > 0 ? t.year : 1 - t.year, 2),
  yyy: (t) => zeroFill(t.year > 0 ? t.year : 1 - t.year, 3),
  yyyy: (t) => zeroFill(t.year > 0 ? t.year : 1 - t.year, 4),
  yo: (t) => ordinal(t.year > 0 ? t.year : 1 - t.year),
  N: (t) => (t.year > 0 ? 'AD' : 'BC'),
  NN: (t) => (t.year > 0 ? 'AD' : 'BC'),
  NNN: (t) => (t.year > 0 ? 'AD' : 'BC'),
  NNNN: (t) => (t.year > 0 ? 'Anno Domini' : 'Before Christ'),
  NNNNN: (t) => (t.year > 0 ? 'AD' : 'BC'),
  a: (t) => (t.hour > 11 ? 'pm' : 'am'),
  A: (t) => (t.hour > 11 ? 'PM' : 'AM'),
  H: (t) => String(t.hour),
  HH: (t) => zeroFill(t.hour, 2),
  h: (t) => String(h12(t)),
  hh: (t) => zeroFill(h12(t), 2),
  k: (t) => String(t.hour || 24),
  kk: (t) => zeroFill(t.hour || 24, 2),
  m: (t) => String(t.minute),
  mm: (t) => zeroFill(t.minute, 2),
  s: (t) => String(t.second),
  ss: (t) => zeroFill(t.second, 2),
  hmm: (t) => `${h12(t)}${zeroFill(t.minute, 2)}`,
  hmmss: (t) => `${h12(t)}${zeroFill(t.minute, 2)}${zeroFill(t.second, 2)}`,
  Hmm: (t) => `${t.hour}${zeroFill(t.minute, 2)}`,
  Hmmss: (t) => `${t.hour}${zeroFill(t.minute, 2)}${zeroFill(t.second, 2)}`,
  Z: (t) => offsetString(t.offset, ':'),
  ZZ: (t) => offsetString(t.offset, ''),
  z: zoneAbbr,
  zz: zoneAbbr,
  X: (t) => String(Math.floor(t.epochMs / 1000)),
  x: (t) => String(t.epochMs),
};
for (let n = 1; n <= 9; n++) TOKENS['S'.repeat(n)] = fraction(n);

/**
 * The token grammar, longest alternatives first where moment's are: `[…]` literal, an optional
 * `\` escape, then a token or any single character.
 */
const FORMAT_TOKEN =
  /(\[[^[]*\])|(\\)?([Hh]mm(?:ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[ow]?|W[oW]?|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(?:ggg?)?|GG(?:GGG?)?|e|E|a|A|hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|.)/gs;
const LOCAL_TOKEN = /(\[[^[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})/g;

function expandLocalFormats(format: string): string {
  let out = format;
  for (let i = 0; i < 5 && LOCAL_TOKEN.test(out); i++) {
    LOCAL_TOKEN.lastIndex = 0;
    out = out.replace(LOCAL_TOKEN, (m: string) => LONG_FORMATS[m] ?? m);
    LOCAL_TOKEN.lastIndex = 0;
  }
  LOCAL_TOKEN.lastIndex = 0;
  return out;
}

function literal(token: string): string {
  if (/^\[[\s\S]/.test(token)) return token.replace(/^\[|\]$/g, '');
  return token.replace(/\\/g, '');
}

/** Formats `date` in `timeZone` (default UTC). `format` empty or missing: moment's ISO default. */
export function formatDate(date: Date, format: string | undefined, timeZone = 'UTC'): string {
  const t = wallTime(date, timeZone);
  const fmt =
    format === undefined || format === ''
      ? t.offset === 0
        ? 'YYYY-MM-DDTHH:mm:ss[Z]'
        : 'YYYY-MM-DDTHH:mm:ssZ'
      : format;
  let out = '';
  for (const m of expandLocalFormats(fmt).matchAll(FORMAT_TOKEN)) {
    const token = m[0];
    const fn = TOKENS[token];
    out += fn ? fn(t) : literal(token);
  }
  return out;
}
