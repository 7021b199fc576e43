import { describe, expect, it } from 'vitest';
import { checkTimeZone, DateFormatError, formatDate } from '../../../src/meta/date-format.js';

const NOW = new Date('2020-01-10T00:30:00.000Z');
const AFTERNOON = new Date('2020-01-10T15:25:50.123Z'); // a Friday

describe('formatDate: the action docs', () => {
  it.each([
    [NOW, 'YYYYMMDD', 'UTC', '20200110'],
    [NOW, 'YYYYMMDD-HHmmss', 'Asia/Tokyo', '20200110-093000'],
    [NOW, 'YYYYMMDD-HHmmss', 'UTC', '20200110-003000'],
    [NOW, 'YYYY-MM-DD', 'UTC', '2020-01-10'],
    [NOW, 'YYYY-MM-DDTHH:mm:ss.SSS[Z]', 'UTC', '2020-01-10T00:30:00.000Z'],
    [AFTERNOON, 'dddd, MMMM Do YYYY, h:mm:ss a', 'UTC', 'Friday, January 10th 2020, 3:25:50 pm'],
  ])('%s %s %s', (date, format, tz, expected) => {
    expect(formatDate(date, format, tz)).toBe(expected);
  });
});

describe('formatDate: tokens', () => {
  it.each([
    ['YYYY YY Y', '2020 20 2020'],
    ['YYYYY YYYYYY', '02020 +002020'],
    ['YYY', '202020'],
    ['M Mo MM MMM MMMM', '1 1st 01 Jan January'],
    ['Q Qo', '1 1st'],
    ['D Do DD', '10 10th 10'],
    ['DDD DDDo DDDD', '10 10th 010'],
    ['d do dd ddd dddd', '5 5th Fr Fri Friday'],
    ['e E', '5 5'],
    ['w wo ww', '2 2nd 02'],
    ['W Wo WW', '2 2nd 02'],
    ['gg gggg GG GGGG', '20 2020 20 2020'],
    ['H HH h hh k kk', '15 15 3 03 15 15'],
    ['m mm s ss', '25 25 50 50'],
    ['S SS SSS SSSS SSSSSS SSSSSSSSS', '1 12 123 1230 123000 123000000'],
    ['a A', 'pm PM'],
    ['Z ZZ', '+00:00 +0000'],
    ['X x', '1578669950 1578669950123'],
    ['z', 'UTC'],
    ['N NNNN', 'AD Anno Domini'],
    ['y', '2020'],
    ['hmm Hmm Hmmss hmmss', '325 1525 152550 32550'],
    ['[today is] dddd', 'today is Friday'],
    ['[YYYY] YYYY', 'YYYY 2020'],
    ['\\YYYYY', 'YYYYY'],
    ['\\Y YYYY', 'Y 2020'],
    ['\\[a] [b]', '[pm] b'],
    ['YYYY/MM/DD_T-x!', '2020/01/10_T-1578669950123!'],
    ['LT', '3:25 PM'],
    ['LTS', '3:25:50 PM'],
    ['L', '01/10/2020'],
    ['LL', 'January 10, 2020'],
    ['LLL', 'January 10, 2020 3:25 PM'],
    ['LLLL', 'Friday, January 10, 2020 3:25 PM'],
    ['l', '1/10/2020'],
    ['ll', 'Jan 10, 2020'],
    ['lll', 'Jan 10, 2020 3:25 PM'],
    ['llll', 'Fri, Jan 10, 2020 3:25 PM'],
    ['[L] L', 'L 01/10/2020'],
  ])('%s', (format, expected) => {
    expect(formatDate(AFTERNOON, format, 'UTC')).toBe(expected);
  });

  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [31, '31st'],
  ])('day %i is the %s', (day, expected) => {
    expect(formatDate(new Date(Date.UTC(2020, 0, day)), 'Do', 'UTC')).toBe(expected);
  });

  it.each([
    ['2021-01-01T12:00:00Z', 'W GGGG w gggg', '53 2020 1 2021'],
    ['2019-12-30T12:00:00Z', 'W GGGG w gggg', '1 2020 1 2020'],
    ['2020-12-31T12:00:00Z', 'DDD DDDD', '366 366'],
    ['2020-01-01T00:00:00Z', 'h A k', '12 AM 24'],
    ['2020-06-15T12:00:00Z', 'h A Q', '12 PM 2'],
    ['2024-02-29T23:59:59.999Z', 'YYYY-MM-DD HH:mm:ss.SSS', '2024-02-29 23:59:59.999'],
  ])('%s %s', (iso, format, expected) => {
    expect(formatDate(new Date(iso), format, 'UTC')).toBe(expected);
  });
});

describe('formatDate: time zones', () => {
  it.each([
    [NOW, 'YYYY-MM-DD HH:mm Z', 'America/New_York', '2020-01-09 19:30 -05:00'],
    [NOW, 'HH:mm ZZ', 'Asia/Kolkata', '06:00 +0530'],
    [NOW, 'YYYY-MM-DD HH:mm Z', 'America/St_Johns', '2020-01-09 21:00 -03:30'],
    [NOW, 'HH:mm Z', 'Pacific/Chatham', '14:15 +13:45'],
    [new Date('2020-07-01T12:00:00Z'), 'HH:mm Z', 'Europe/Paris', '14:00 +02:00'],
    [new Date('2020-01-01T12:00:00Z'), 'HH:mm Z', 'Europe/Paris', '13:00 +01:00'],
    [NOW, 'YYYYMMDD', 'Pacific/Kiritimati', '20200110'],
    [NOW, 'dddd', 'Pacific/Honolulu', 'Thursday'],
    [NOW, 'HH:mm Z', 'utc', '00:30 +00:00'],
    [NOW, 'HH:mm', 'Etc/GMT-2', '02:30'],
  ])('%s %s in %s', (date, format, tz, expected) => {
    expect(formatDate(date, format, tz)).toBe(expected);
  });

  it('without a format: moment ISO default, Z at offset zero', () => {
    expect(formatDate(NOW, undefined, 'UTC')).toBe('2020-01-10T00:30:00Z');
    expect(formatDate(NOW, '', 'UTC')).toBe('2020-01-10T00:30:00Z');
    expect(formatDate(NOW, undefined, 'Asia/Tokyo')).toBe('2020-01-10T09:30:00+09:00');
    expect(formatDate(NOW, undefined, 'Europe/London')).toBe('2020-01-10T00:30:00Z');
  });

  it('refuses an unknown zone', () => {
    expect(() => formatDate(NOW, 'YYYY', 'Mars/Olympus')).toThrow(DateFormatError);
    expect(() => checkTimeZone('Not/AZone')).toThrow(/unknown time zone "Not\/AZone"/);
    expect(() => checkTimeZone('Asia/Tokyo')).not.toThrow();
  });

  it('refuses an invalid date', () => {
    expect(() => formatDate(new Date('nope'), 'YYYY')).toThrow(/invalid date/);
  });
});
