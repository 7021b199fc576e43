/**
 * cosign's signed payload: the "simple signing" JSON of containers/image
 * (docs/containers-signature.5.md) as sigstore's payload.Cosign marshals it —
 *
 *   {"critical":{"identity":{"docker-reference":"<registry>/<repository>"},
 *                "image":{"docker-manifest-digest":"sha256:…"},
 *                "type":"cosign container image signature"},"optional":null}
 *
 * with `optional` holding the `--annotation` pairs (a Go map: keys sorted) when there are any.
 * The docker-reference is go-containerregistry's Repository.Name(), which spells Docker Hub
 * "index.docker.io".
 */
import { DEFAULT_REGISTRY } from '../ref/index.js';
import { GoMap, goMarshal } from './go-json.js';

export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** The parsed payload; `optional` values are whatever JSON the signer put there. */
export interface SimpleSigning {
  critical: {
    identity: { 'docker-reference': string };
    image: { 'docker-manifest-digest': string };
    type: string;
  };
  optional: Record<string, unknown> | null;
}

/** The docker-reference cosign writes for a repository. */
export function dockerReference(registry: string, repository: string): string {
  return `${registry === DEFAULT_REGISTRY ? 'index.docker.io' : registry}/${repository}`;
}

/** Whether a payload's docker-reference names this repository (either spelling of Docker Hub). */
export function sameDockerReference(reference: string, registry: string, repository: string): boolean {
  const normal = (r: string): string =>
    r.replace(/^(?:docker\.io|registry-1\.docker\.io)\//, 'index.docker.io/');
  return normal(reference) === normal(dockerReference(registry, repository));
}

/** The exact payload bytes cosign signs for `digest` in `reference`. */
export function buildPayload(
  reference: string,
  digest: string,
  annotations?: Record<string, string>,
): Buffer {
  const optional = annotations && Object.keys(annotations).length > 0 ? new GoMap(annotations) : null;
  return Buffer.from(
    goMarshal({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: COSIGN_SIGNATURE_TYPE,
      },
      optional,
    }),
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a payload; throws an Error whose message says what is wrong with it. */
export function parsePayload(bytes: Uint8Array): SimpleSigning {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new Error('the payload is not JSON');
  }
  if (!isObject(doc) || !isObject(doc.critical)) throw new Error('the payload has no "critical" section');
  const { critical } = doc;
  const identity = isObject(critical.identity) ? critical.identity['docker-reference'] : undefined;
  const digest = isObject(critical.image) ? critical.image['docker-manifest-digest'] : undefined;
  if (critical.type !== COSIGN_SIGNATURE_TYPE) {
    throw new Error(
      `the payload type is ${JSON.stringify(critical.type ?? null)}, not "${COSIGN_SIGNATURE_TYPE}"`,
    );
  }
  if (typeof identity !== 'string') throw new Error('the payload has no docker-reference');
  if (typeof digest !== 'string') throw new Error('the payload has no docker-manifest-digest');
  const optional = doc.optional;
  if (optional !== undefined && optional !== null && !isObject(optional)) {
    throw new Error('the payload\'s "optional" section is not an object');
  }
  return {
    critical: {
      identity: { 'docker-reference': identity },
      image: { 'docker-manifest-digest': digest },
      type: critical.type,
    },
    optional: optional ?? null,
  };
}
