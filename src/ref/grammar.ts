/**
 * The image-reference grammar of Docker's distribution/reference (regexp.go), checked one part at a
 * time. Upstream matches a single large regular expression and can only answer "invalid reference
 * format"; checking each part on its own lets an error say which part is wrong and why.
 *
 * Every check returns a `Problem` instead of throwing, so the caller (which knows the whole input the
 * user typed) builds the `ReferenceError`.
 */

/** A failed check, phrased so that `${part} ${reason}` reads as a sentence. */
export interface Problem {
  readonly part: string;
  readonly reason: string;
}

/** Upstream's NameTotalLengthMax: registry + "/" + repository, measured after normalisation. */
export const MAX_NAME_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const PATH_SEPARATOR = /^(?:[._]|__|-+)$/;
const DOMAIN_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
// Upstream deliberately accepts any run of hex digits and colons here rather than validating the
// address; we keep that so we accept exactly what Docker accepts.
const IPV6_BODY = /^[a-fA-F0-9:]+$/;
const PORT = /^[0-9]+$/;
const MAX_PORT = 65535;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;

/**
 * go-digest validates the encoded part per algorithm; we support the two algorithms OCI registries
 * actually use and refuse the rest rather than pass through digests we could never verify.
 */
const DIGEST_HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha512', 128],
]);

/** Quote a value for an error message; JSON escaping keeps control characters visible. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

function firstMatch(value: string, pattern: RegExp): string | undefined {
  return pattern.exec(value)?.[0];
}

export function checkTag(tag: string): Problem | undefined {
  if (TAG.test(tag)) return undefined;
  return { part: 'tag', reason: tagReason(tag) };
}

function tagReason(tag: string): string {
  if (tag === '') return 'must not be empty';
  const bad = firstMatch(tag, /[^\w.-]/u);
  if (bad !== undefined) return `contains invalid character ${quote(bad)}`;
  if (!/^\w/.test(tag)) return 'must start with a letter, digit or underscore';
  return `is ${tag.length} characters long; the maximum is ${MAX_TAG_LENGTH}`;
}

export function checkDigest(digest: string): Problem | undefined {
  const reason = digestReason(digest);
  return reason === undefined ? undefined : { part: 'digest', reason };
}

function digestReason(digest: string): string | undefined {
  if (digest === '') return 'must not be empty';
  const colon = digest.indexOf(':');
  if (colon === -1) return 'must have the form "sha256:<64 hex characters>"';
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (algorithm === '') return 'is missing its algorithm (expected "sha256:<hex>")';
  if (!DIGEST_ALGORITHM.test(algorithm)) return `has an invalid algorithm ${quote(algorithm)}`;
  const expectedLength = DIGEST_HEX_LENGTH.get(algorithm);
  if (expectedLength === undefined) {
    return `algorithm ${quote(algorithm)} is not supported; only sha256 and sha512 are`;
  }
  const bad = firstMatch(hex, /[^0-9a-fA-F]/u);
  if (bad !== undefined) return `contains non-hexadecimal character ${quote(bad)}`;
  if (/[A-F]/.test(hex)) return 'must use lowercase hexadecimal';
  if (hex.length !== expectedLength) {
    return `must have ${expectedLength} hex characters after "${algorithm}:", found ${hex.length}`;
  }
  return undefined;
}

/** Check a repository path ("owner/app/sub"), reporting the first bad component. */
export function checkRepositoryPath(path: string): Problem | undefined {
  if (path === '') return { part: 'repository', reason: 'must not be empty' };
  for (const component of path.split('/')) {
    const problem = checkPathComponent(component);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkPathComponent(component: string): Problem | undefined {
  if (component === '') {
    return {
      part: 'repository',
      reason: 'must not contain an empty path component ("//" or a trailing "/")',
    };
  }
  if (PATH_COMPONENT.test(component)) return undefined;
  return { part: `repository path component ${quote(component)}`, reason: pathComponentReason(component) };
}

function pathComponentReason(component: string): string {
  // Upstream reports case before anything else ("must be lowercase"); it is by far the most
  // common mistake, so it gets the most specific message.
  if (/[A-Z]/.test(component)) return 'must be lowercase';
  const bad = firstMatch(component, /[^a-z0-9._-]/u);
  if (bad !== undefined) return `contains invalid character ${quote(bad)}`;
  if (!/^[a-z0-9]/.test(component)) return 'must start with a lowercase letter or digit';
  if (!/[a-z0-9]$/.test(component)) return 'must end with a lowercase letter or digit';
  const separator = component.match(/[._-]+/g)?.find((run) => !PATH_SEPARATOR.test(run));
  if (separator !== undefined) {
    return `has invalid separator ${quote(separator)}; use ".", "_", "__" or one or more "-"`;
  }
  return 'is not a valid path component';
}

/** A registry split into host and port without validation; IPv6 hosts keep their brackets. */
export interface RegistryParts {
  readonly host: string;
  readonly port: string | undefined;
}

/** Split "host[:port]"; `undefined` when an IPv6 bracket is unterminated or followed by junk. */
export function splitRegistry(registry: string): RegistryParts | undefined {
  if (registry.startsWith('[')) {
    const close = registry.indexOf(']');
    if (close === -1) return undefined;
    const rest = registry.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    return { host: registry.slice(0, close + 1), port: rest === '' ? undefined : rest.slice(1) };
  }
  // Host names cannot contain ":", so the first one starts the port.
  const colon = registry.indexOf(':');
  if (colon === -1) return { host: registry, port: undefined };
  return { host: registry.slice(0, colon), port: registry.slice(colon + 1) };
}

export function checkRegistry(registry: string): Problem | undefined {
  if (registry === '') return { part: 'registry', reason: 'must not be empty' };
  const part = `registry ${quote(registry)}`;
  const parts = splitRegistry(registry);
  if (parts === undefined) {
    return { part, reason: 'must be an IPv6 address in brackets, optionally followed by ":port"' };
  }
  const reason =
    (parts.host.startsWith('[') ? ipv6Reason(parts.host) : hostNameReason(parts.host)) ??
    (parts.port === undefined ? undefined : portReason(parts.port));
  return reason === undefined ? undefined : { part, reason };
}

function ipv6Reason(bracketed: string): string | undefined {
  const address = bracketed.slice(1, -1);
  if (IPV6_BODY.test(address)) return undefined;
  if (address.includes('%')) return 'must not use an IPv6 zone identifier ("%...")';
  if (address === '') return 'has an empty IPv6 address';
  return 'has an IPv6 address with characters other than hex digits and ":"';
}

function hostNameReason(host: string): string | undefined {
  for (const label of host.split('.')) {
    if (DOMAIN_LABEL.test(label)) continue;
    if (label === '') return 'has an empty host name label (leading, trailing or doubled ".")';
    const bad = firstMatch(label, /[^a-zA-Z0-9-]/u);
    if (bad !== undefined) return `contains invalid character ${quote(bad)}`;
    return `has host name label ${quote(label)} that starts or ends with "-"`;
  }
  return undefined;
}

function portReason(port: string): string | undefined {
  if (port === '') return 'has an empty port';
  if (!PORT.test(port)) return `has port ${quote(port)}, which is not a number`;
  // Upstream accepts any digits; a port that cannot exist is better refused here than at connect time.
  if (Number(port) > MAX_PORT) return `has port ${port}, which is above ${MAX_PORT}`;
  return undefined;
}
