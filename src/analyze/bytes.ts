/**
 * Sizes as people write them, parsed like go-humanize's `ParseBytes` (which dive uses for
 * `highest-wasted-bytes`): "20MB" = 20 000 000, "20MiB" = 20 971 520, "1.5 GB", "512", "20M".
 * Single-letter units are decimal (go-humanize: "M" = "MB").
 */
import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = {
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

export function parseHumanBytes(text: string, what = 'size'): number {
  const m = /^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*$/.exec(text.replaceAll(',', ''));
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${what}: "${text}" is not a size`, { hint: 'write e.g. 20MB, 1.5GiB or 512' });
  }
  return Math.floor(Number(m[1]) * unit);
}
