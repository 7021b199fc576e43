/**
 * Parsing and printing of registry image references ("ghcr.io/owner/app:1.2@sha256:..."), following
 * Docker's ParseNormalizedNamed so that every name `docker pull` accepts means the same image here.
 */

import { ReferenceError } from '../errors.js';
import type { ErrorDetails } from '../errors.js';
import {
  MAX_NAME_LENGTH,
  checkDigest,
  checkRegistry,
  checkRepositoryPath,
  checkTag,
  quote,
} from './grammar.js';
import type { Problem } from './grammar.js';
import { DEFAULT_TAG, familiarName, splitDockerDomain } from './normalize.js';

export interface ImageReference {
  /** Host with optional port, as typed except that index.docker.io becomes docker.io. */
  readonly registry: string;
  /** Path inside the registry; Docker Hub official images carry their implied "library/". */
  readonly repository: string;
  readonly tag?: string;
  /** "algorithm:hex"; only sha256 and sha512 are accepted. */
  readonly digest?: string;
}

export interface RepositoryName {
  readonly registry: string;
  readonly repository: string;
}

export interface ParseOptions {
  /** Add tag "latest" when the input has neither a tag nor a digest, as `docker pull` does. Default true. */
  readonly defaultTag?: boolean;
}

/** skopeo's transport prefix for registries; the rest of the input is an ordinary reference. */
export const DOCKER_TRANSPORT_PREFIX = 'docker://';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** What `docker images` prints as an image ID; upstream refuses it as a name to avoid confusion. */
const IMAGE_ID = /^[a-f0-9]{64}$/;

export function fail(input: string, problem: Problem, details?: ErrorDetails): never {
  throw new ReferenceError(input, problem.part, problem.reason, details);
}

export function parseReference(input: string, opts: ParseOptions = {}): ImageReference {
  const text = stripDockerTransport(input);
  return parseReferenceText(text, input, opts.defaultTag ?? true);
}

function stripDockerTransport(input: string): string {
  return input.startsWith(DOCKER_TRANSPORT_PREFIX) ? input.slice(DOCKER_TRANSPORT_PREFIX.length) : input;
}

/**
 * Parse `text` as a registry reference; errors quote `shown`, which is what the user actually typed
 * (it differs when the reference is embedded in a larger location string).
 */
export function parseReferenceText(text: string, shown: string, defaultTag: boolean): ImageReference {
  rejectWholeInput(text, shown);
  const { name, tag, digest } = splitSuffixes(text, shown);
  const { registry, repository, explicitRegistry } = splitDockerDomain(name);
  const problem =
    (explicitRegistry ? checkRegistry(registry) : undefined) ??
    checkRepositoryPath(repository) ??
    (tag === undefined ? undefined : checkTag(tag)) ??
    (digest === undefined ? undefined : checkDigest(digest)) ??
    checkNameLength(registry, repository);
  if (problem !== undefined) fail(shown, problem);
  const effectiveTag = tag === undefined && digest === undefined && defaultTag ? DEFAULT_TAG : tag;
  return makeReference(registry, repository, effectiveTag, digest);
}

/** Problems that concern the input as a whole rather than one of its parts. */
function rejectWholeInput(text: string, shown: string): void {
  if (text === '') fail(shown, { part: 'reference', reason: 'must not be empty' });
  if (/\s/u.test(text)) fail(shown, { part: 'reference', reason: 'must not contain whitespace' });
  const scheme = SCHEME.exec(text)?.[1];
  if (scheme !== undefined) {
    const rest = text.slice(scheme.length + 3);
    if (/^https?$/i.test(scheme)) {
      fail(
        shown,
        { part: 'reference', reason: `must not start with "${scheme}://"` },
        { hint: `drop the scheme: write ${quote(rest)}` },
      );
    }
    fail(
      shown,
      { part: 'reference', reason: `has unsupported scheme "${scheme}://"` },
      { hint: 'write registry references without a scheme, e.g. "ghcr.io/owner/app:1"' },
    );
  }
  if (IMAGE_ID.test(text)) {
    fail(
      shown,
      { part: 'repository', reason: 'cannot specify 64-byte hexadecimal strings' },
      { hint: 'that looks like an image ID; prefix a registry (e.g. "docker.io/") if it really is a name' },
    );
  }
}

interface Suffixes {
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** Cut "@digest" and ":tag" off the end, leaving the name (registry and path) to normalise. */
function splitSuffixes(text: string, shown: string): Suffixes {
  // Neither names nor tags may contain "@", so the first one starts the digest.
  const at = text.indexOf('@');
  const beforeDigest = at === -1 ? text : text.slice(0, at);
  const digest = at === -1 ? undefined : text.slice(at + 1);
  // A ":" after the last "/" starts the tag; an earlier one is a registry port.
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > beforeDigest.lastIndexOf('/');
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  const tag = hasTag ? beforeDigest.slice(colon + 1) : undefined;
  if (name === '') fail(shown, { part: 'repository name', reason: 'is missing' });
  if (beforeDigest.startsWith('[') && !beforeDigest.includes('/')) {
    // Otherwise "[::1]:5000" would be cut at its last ":" and blamed on a nonsense tag.
    fail(shown, {
      part: 'repository',
      reason: 'is missing: an IPv6 registry must be followed by "/" and a repository',
    });
  }
  return { name, tag, digest };
}

function checkNameLength(registry: string, repository: string): Problem | undefined {
  const length = registry.length + 1 + repository.length;
  if (length <= MAX_NAME_LENGTH) return undefined;
  return {
    part: 'name',
    reason: `(registry + "/" + repository) is ${length} characters long; the maximum is ${MAX_NAME_LENGTH}`,
  };
}

/** Build a reference without `undefined`-valued keys, so equality checks and spreads stay clean. */
function makeReference(
  registry: string,
  repository: string,
  tag: string | undefined,
  digest: string | undefined,
): ImageReference {
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

export function parseRepository(input: string): RepositoryName {
  const text = stripDockerTransport(input);
  const ref = parseReferenceText(text, input, false);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    fail(
      input,
      {
        part: ref.tag !== undefined ? 'tag' : 'digest',
        reason: 'is not allowed here: expected a repository without a tag or digest',
      },
      { hint: registryOnlyHint(text, ref) },
    );
  }
  return { registry: ref.registry, repository: ref.repository };
}

/** "localhost:5000" is image "localhost" tagged "5000"; someone asking for a repository meant the registry. */
function registryOnlyHint(text: string, ref: ImageReference): string | undefined {
  if (text.includes('/') || ref.digest !== undefined || !/^[0-9]+$/.test(ref.tag ?? '')) return undefined;
  return `${quote(text)} reads as an image with a tag; to name a repository on that registry write "${text}/NAME"`;
}

export function formatRepository(ref: RepositoryName): string {
  return `${ref.registry}/${ref.repository}`;
}

function suffixes(ref: ImageReference): string {
  return (ref.tag === undefined ? '' : `:${ref.tag}`) + (ref.digest === undefined ? '' : `@${ref.digest}`);
}

/** The fully qualified form, which parses back to the same reference. */
export function formatReference(ref: ImageReference): string {
  return formatRepository(ref) + suffixes(ref);
}

/** The short form Docker prints ("alpine:latest", "user/app:1"); other registries are unchanged. */
export function familiarReference(ref: ImageReference): string {
  const familiar = familiarName(ref.registry, ref.repository) + suffixes(ref);
  // A bare official image named with 64 hex characters would print as something we refuse to parse.
  return IMAGE_ID.test(familiar) ? formatReference(ref) : familiar;
}

/** Replace the tag, keeping any digest (as upstream's WithTag does). */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  const problem = checkTag(tag);
  if (problem !== undefined) fail(`${formatRepository(ref)}:${tag}`, problem);
  return makeReference(ref.registry, ref.repository, tag, ref.digest);
}

/** Replace the digest, keeping any tag (as upstream's WithDigest does). */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  const problem = checkDigest(digest);
  if (problem !== undefined) fail(`${formatRepository(ref)}@${digest}`, problem);
  return makeReference(ref.registry, ref.repository, ref.tag, digest);
}

export function validateTag(tag: string): void {
  const problem = checkTag(tag);
  if (problem !== undefined) fail(tag, problem);
}

export function validateDigest(digest: string): void {
  const problem = checkDigest(digest);
  if (problem !== undefined) fail(digest, problem);
}
