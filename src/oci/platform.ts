/** Platform strings (`linux/arm64/v8`) and matching index children against them. */
import { UsageError } from '../errors.js';
import type { Platform } from './schema.js';

export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  const [os, architecture, variant] = parts;
  if (parts.length < 2 || parts.length > 3 || !os || !architecture || (parts.length === 3 && !variant)) {
    throw new UsageError(`invalid platform "${text}"`, { hint: 'use os/arch[/variant], e.g. linux/arm64' });
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function parsePlatformList(text: string): Platform[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(parsePlatform);
}

export function formatPlatform(p: Pick<Platform, 'os' | 'architecture' | 'variant'>): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** containerd's normalisation: arm64 implies v8, arm implies v7 unless stated. */
function normalisedVariant(p: Pick<Platform, 'architecture' | 'variant'>): string | undefined {
  if (p.variant) return p.variant;
  if (p.architecture === 'arm64') return 'v8';
  if (p.architecture === 'arm') return 'v7';
  return undefined;
}

/** True when `candidate` satisfies `wanted`; a wanted platform without variant accepts any variant. */
export function platformMatches(wanted: Platform, candidate: Platform | undefined): boolean {
  if (!candidate) return false;
  if (wanted.os !== candidate.os || wanted.architecture !== candidate.architecture) return false;
  if (!wanted.variant) return true;
  return normalisedVariant(wanted) === normalisedVariant(candidate);
}
