/** Human units on the command line and in config: durations (`90d`, `24h`) and sizes (`2GB`). */
import { UsageError } from '../errors.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const UNIT_MS: Record<string, number> = { w: WEEK, d: DAY, h: HOUR, m: MINUTE, s: 1000 };

/**
 * `90d`, `24h`, `2w`, `1d12h`, `30m` → milliseconds; `forever` → `'forever'`. Throws a
 * {@link UsageError} for anything else (a bare number has no unit and is refused).
 */
export function parseDuration(text: string): number | 'forever' {
  const t = text.trim();
  if (t === 'forever') return 'forever';
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!m || t === '') {
    throw new UsageError(`invalid duration "${text}"`, {
      hint: 'use a number with a unit (w, d, h, m, s) such as 90d, 24h or 1d12h, or "forever"',
    });
  }
  const units = ['w', 'd', 'h', 'm', 's'] as const;
  let ms = 0;
  units.forEach((u, i) => {
    const n = m[i + 1];
    if (n !== undefined) ms += Number(n) * UNIT_MS[u]!;
  });
  return ms;
}

/** Milliseconds as the largest unit plus the next when it matters: `12d`, `7d3h`, `5h20m`, `45m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'forever';
  const abs = Math.max(0, Math.floor(ms));
  const parts: [number, string][] = [
    [Math.floor(abs / DAY), 'd'],
    [Math.floor((abs % DAY) / HOUR), 'h'],
    [Math.floor((abs % HOUR) / MINUTE), 'm'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) {
    return abs >= 1000 ? `${Math.floor(abs / 1000)}s` : '0m';
  }
  const [n, unit] = parts[first]!;
  const next = parts[first + 1];
  return next && next[0] > 0 && n < 10 ? `${n}${unit}${next[0]}${next[1]}` : `${n}${unit}`;
}

/*
 * Sizes as people write them, parsed like go-humanize's `ParseBytes` (which dive uses for
 * `highest-wasted-bytes`): "20MB" = 20 000 000, "20MiB" = 20 971 520, "1.5 GB", "512", "20M".
 * Single-letter units are decimal (go-humanize: "M" = "MB").
 */
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  ki: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  mi: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  gi: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
  ti: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pib: 1024 ** 5,
  pi: 1024 ** 5,
};

export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*$/.exec(text.replaceAll(',', ''));
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${what}: "${text}" is not a size`, { hint: 'write e.g. 20MB, 1.5GiB or 512' });
  }
  return Math.floor(Number(m[1]) * unit);
}
