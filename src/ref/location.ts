/**
 * Where an image lives, in skopeo's transport syntax: a registry ("docker://" optional), an OCI image
 * layout directory ("oci:DIR[:TAG|@DIGEST]") or a `docker save` tarball ("docker-archive:FILE[:REF]").
 */

import { ReferenceError } from '../errors.js';
import { checkDigest, checkTag } from './grammar.js';
import type { Problem } from './grammar.js';
import {
  DOCKER_TRANSPORT_PREFIX,
  fail,
  formatReference,
  parseReference,
  parseReferenceText,
} from './reference.js';
import type { ImageReference, ParseOptions } from './reference.js';

export type Location =
  | { transport: 'docker'; ref: ImageReference }
  | { transport: 'oci'; dir: string; tag?: string; digest?: string }
  | { transport: 'docker-archive'; file: string; ref?: ImageReference };

const OCI_PREFIX = 'oci:';
const ARCHIVE_PREFIX = 'docker-archive:';

/** skopeo transports we recognise only to explain that they are not supported. */
const UNSUPPORTED_TRANSPORTS: ReadonlySet<string> = new Set([
  'containers-storage',
  'dir',
  'docker-daemon',
  'oci-archive',
  'ostree',
  'sif',
  'tarball',
]);

/**
 * A suffix that is meant as a digest: a supported algorithm name, or any algorithm followed by hex.
 * Anything else after "@" stays part of the directory name, which skopeo allows.
 */
const DIGEST_LIKE =
  /^(?:(?:sha256|sha512):|[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]+$)/i;

/**
 * "oci:" and "docker-archive:" win over a registry reference: "oci:5000/app" could also be registry
 * "oci" on port 5000, and skopeo reads it as a directory too. Write "docker://oci:5000/app" for the registry.
 */
export function parseLocation(input: string, opts: ParseOptions = {}): Location {
  const defaultTag = opts.defaultTag ?? true;
  if (input.startsWith(OCI_PREFIX)) return parseOci(input, input.slice(OCI_PREFIX.length));
  if (input.startsWith(ARCHIVE_PREFIX))
    return parseArchive(input, input.slice(ARCHIVE_PREFIX.length), defaultTag);
  return { transport: 'docker', ref: parseRegistryLocation(input, defaultTag) };
}

function parseRegistryLocation(input: string, defaultTag: boolean): ImageReference {
  try {
    return parseReference(input, { defaultTag });
  } catch (error) {
    // Only when the input is not a valid reference anyway, so a registry host that happens to be
    // called "dir" ("dir:5000/app") still works.
    const transport = /^([a-z-]+):/.exec(input)?.[1];
    if (error instanceof ReferenceError && transport !== undefined && UNSUPPORTED_TRANSPORTS.has(transport)) {
      fail(input, {
        part: `transport "${transport}:"`,
        reason: 'is not supported; use docker://, oci: or docker-archive:',
      });
    }
    throw error;
  }
}

function parseOci(input: string, rest: string): Location {
  const at = rest.lastIndexOf('@');
  const digestText = at === -1 ? undefined : rest.slice(at + 1);
  if (digestText !== undefined && DIGEST_LIKE.test(digestText)) {
    const dir = rest.slice(0, at);
    if (dir.includes(':')) {
      fail(input, { part: 'oci location', reason: 'may have a tag or a digest, not both' });
    }
    checkOciDir(input, dir);
    failOn(input, checkDigest(digestText));
    return { transport: 'oci', dir, digest: digestText };
  }
  // skopeo splits at the first ":", so a directory can contain "@" but never ":".
  const colon = rest.indexOf(':');
  const dir = colon === -1 ? rest : rest.slice(0, colon);
  const tag = colon === -1 ? undefined : rest.slice(colon + 1);
  checkOciDir(input, dir);
  if (tag === undefined) return { transport: 'oci', dir };
  failOn(input, checkTag(tag));
  return { transport: 'oci', dir, tag };
}

function checkOciDir(input: string, dir: string): void {
  if (dir === '') fail(input, { part: 'oci directory', reason: 'must not be empty' });
}

function parseArchive(input: string, rest: string, defaultTag: boolean): Location {
  const colon = rest.indexOf(':');
  const file = colon === -1 ? rest : rest.slice(0, colon);
  if (file === '') fail(input, { part: 'docker-archive file', reason: 'must not be empty' });
  if (colon === -1) return { transport: 'docker-archive', file };
  const ref = parseReferenceText(rest.slice(colon + 1), input, defaultTag);
  failOn(input, checkArchiveRef(ref));
  return { transport: 'docker-archive', file, ref };
}

/** `docker save` records repository tags only, so an archive cannot be addressed by digest. */
function checkArchiveRef(ref: ImageReference): Problem | undefined {
  if (ref.digest === undefined) return undefined;
  return {
    part: 'digest',
    reason: 'is not allowed in a docker-archive reference (archives record tags only)',
  };
}

function failOn(input: string, problem: Problem | undefined): void {
  if (problem !== undefined) fail(input, problem);
}

/**
 * The string form, which `parseLocation` reads back to the same location. Registry references get
 * "docker://" so that a registry named like a transport ("oci:5000") cannot be misread. Throws
 * ReferenceError for locations that have no such string (a directory containing ":", an OCI location
 * with both a tag and a digest, an archive reference with a digest).
 */
export function formatLocation(loc: Location): string {
  switch (loc.transport) {
    case 'docker':
      return DOCKER_TRANSPORT_PREFIX + formatReference(loc.ref);
    case 'oci': {
      const text =
        OCI_PREFIX +
        loc.dir +
        (loc.tag === undefined ? '' : `:${loc.tag}`) +
        (loc.digest === undefined ? '' : `@${loc.digest}`);
      if (loc.tag !== undefined && loc.digest !== undefined) {
        fail(text, { part: 'oci location', reason: 'may have a tag or a digest, not both' });
      }
      checkPathForFormat(text, 'oci directory', loc.dir);
      return text;
    }
    case 'docker-archive': {
      const text = ARCHIVE_PREFIX + loc.file + (loc.ref === undefined ? '' : `:${formatReference(loc.ref)}`);
      checkPathForFormat(text, 'docker-archive file', loc.file);
      if (loc.ref !== undefined) failOn(text, checkArchiveRef(loc.ref));
      return text;
    }
  }
}

function checkPathForFormat(text: string, part: string, path: string): void {
  if (path === '') fail(text, { part, reason: 'must not be empty' });
  // The transport syntax ends the path at its first ":", so such a path cannot be written at all.
  if (path.includes(':')) fail(text, { part, reason: 'must not contain ":"' });
}
