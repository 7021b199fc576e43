/**
 * Runtime validation of manifests, indexes and configs. A registry is untrusted input: every
 * fetched document goes through these checks before any field is used, and the error names the
 * field that was wrong. Unknown fields are kept (loose objects) because the raw bytes, not our
 * parsed view, are what gets copied and digested. (Hand-written checks, not zod: see shape.ts.)
 */
import { ProtocolError } from '../errors.js';
import { isDigest } from './digest.js';
import { MediaType, isSchema1, manifestKind, stripParams } from './media-types.js';
import {
  array,
  boolean,
  describeIssues,
  literal,
  nullish,
  number,
  object,
  optional,
  record,
  string,
  validate,
  type Infer,
} from './shape.js';

const digest = string({ refine: [isDigest, 'not a sha256/sha512 digest'] });
const annotations = record(string());

const platformShape = {
  architecture: string(),
  os: string(),
  'os.version': optional(string()),
  'os.features': optional(array(string())),
  variant: optional(string()),
  features: optional(array(string())),
};
export type Platform = Infer<typeof platformShape>;
const platform = object(platformShape);

const descriptorShape = {
  mediaType: string({ min: 1 }),
  digest,
  size: number({ int: true, nonnegative: true }),
  urls: optional(array(string())),
  annotations: optional(annotations),
  data: optional(string()),
  artifactType: optional(string()),
  platform: optional(platform),
};
export type Descriptor = Infer<typeof descriptorShape>;
const descriptor = object(descriptorShape);

const imageManifestShape = {
  schemaVersion: literal(2),
  mediaType: optional(string()),
  artifactType: optional(string()),
  config: descriptor,
  layers: array(descriptor),
  subject: optional(descriptor),
  annotations: optional(annotations),
};
export type ImageManifest = Infer<typeof imageManifestShape>;
const imageManifest = object(imageManifestShape);

const imageIndexShape = {
  schemaVersion: literal(2),
  mediaType: optional(string()),
  artifactType: optional(string()),
  manifests: array(descriptor),
  subject: optional(descriptor),
  annotations: optional(annotations),
};
export type ImageIndex = Infer<typeof imageIndexShape>;
const imageIndex = object(imageIndexShape);

const healthcheck = object({
  Test: optional(array(string())),
  Interval: optional(number()),
  Timeout: optional(number()),
  StartPeriod: optional(number()),
  Retries: optional(number()),
});

/** Docker and OCI configs share these fields; Docker writes `null` where OCI omits. */
const containerConfigShape = {
  User: nullish(string()),
  ExposedPorts: nullish(record(() => undefined)),
  Env: nullish(array(string())),
  Entrypoint: nullish(array(string())),
  Cmd: nullish(array(string())),
  Volumes: nullish(record(() => undefined)),
  WorkingDir: nullish(string()),
  Labels: nullish(record(string())),
  StopSignal: nullish(string()),
  Healthcheck: nullish(healthcheck),
};
const historyShape = {
  created: nullish(string()),
  created_by: nullish(string()),
  author: nullish(string()),
  comment: nullish(string()),
  empty_layer: nullish(boolean),
};
const imageConfigShape = {
  created: nullish(string()),
  author: nullish(string()),
  architecture: string(),
  os: string(),
  'os.version': nullish(string()),
  variant: nullish(string()),
  config: nullish(object(containerConfigShape)),
  rootfs: object({ type: string(), diff_ids: array(digest) }),
  history: nullish(array(object(historyShape))),
};
export type ImageConfig = Infer<typeof imageConfigShape>;
const imageConfig = object(imageConfigShape);

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; index: ImageIndex }
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest };

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    throw new ProtocolError(`${what} is not valid JSON`, {
      hint: 'the server may not be an OCI registry, or it returned an error page',
    });
  }
}

/**
 * Validates a fetched manifest. The type comes from the document's own `mediaType` when present
 * (the digest covers it), else from the response `Content-Type`, else from its shape.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string, what = 'manifest'): ParsedManifest {
  const doc = parseJson(bytes, what);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ProtocolError(`${what} is not a JSON object`);
  }
  const record = doc as Record<string, unknown>;
  const declared = typeof record.mediaType === 'string' ? record.mediaType : undefined;
  if (record.schemaVersion === 1 || isSchema1(declared) || isSchema1(contentType)) {
    throw new ProtocolError(`${what} is a Docker schema 1 manifest, which is not supported`, {
      hint: 'schema 1 is deprecated since 2017; re-push the image with a current tool',
    });
  }
  let mediaType = declared ?? stripParams(contentType);
  let kind = manifestKind(mediaType);
  if (kind === undefined) {
    kind = Array.isArray(record.manifests) ? 'index' : 'config' in record ? 'manifest' : undefined;
    if (kind === undefined) {
      throw new ProtocolError(`${what} has unsupported media type ${mediaType ?? '(none)'}`);
    }
    mediaType = kind === 'index' ? MediaType.OciIndex : MediaType.OciManifest;
  }
  if (kind === 'index') {
    const issues = validate(imageIndex, doc);
    if (issues.length > 0) throw new ProtocolError(`invalid ${what} (index) ${describeIssues(issues)}`);
    return { kind, mediaType: mediaType!, index: doc as ImageIndex };
  }
  const issues = validate(imageManifest, doc);
  if (issues.length > 0) throw new ProtocolError(`invalid ${what} ${describeIssues(issues)}`);
  return { kind, mediaType: mediaType!, manifest: doc as ImageManifest };
}

export function parseImageConfig(bytes: Uint8Array, what = 'image config'): ImageConfig {
  const doc = parseJson(bytes, what);
  const issues = validate(imageConfig, doc);
  if (issues.length > 0) throw new ProtocolError(`invalid ${what} ${describeIssues(issues)}`);
  return doc as ImageConfig;
}

export function parseIndex(bytes: Uint8Array, what = 'index'): ImageIndex {
  const doc = parseJson(bytes, what);
  const issues = validate(imageIndex, doc);
  if (issues.length > 0) throw new ProtocolError(`invalid ${what} ${describeIssues(issues)}`);
  return doc as ImageIndex;
}
