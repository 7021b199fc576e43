/**
 * Runtime validation of manifests, indexes and configs. A registry is untrusted input: every
 * fetched document goes through these schemas before any field is used, and the error names the
 * field that was wrong. Unknown fields are kept (loose objects) because the raw bytes, not our
 * parsed view, are what gets copied and digested.
 */
import { z } from 'zod';
import { ProtocolError } from '../errors.js';
import { isDigest } from './digest.js';
import { MediaType, isSchema1, manifestKind, stripParams } from './media-types.js';

const digestSchema = z.string().refine(isDigest, { message: 'not a sha256/sha512 digest' });
const annotationsSchema = z.record(z.string(), z.string());

export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});
export type Platform = z.infer<typeof platformSchema>;

export const descriptorSchema = z.looseObject({
  mediaType: z.string().min(1),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: annotationsSchema.optional(),
  data: z.string().optional(),
  artifactType: z.string().optional(),
  platform: platformSchema.optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const imageManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;

export const imageIndexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});
export type ImageIndex = z.infer<typeof imageIndexSchema>;

const healthcheckSchema = z.looseObject({
  Test: z.array(z.string()).optional(),
  Interval: z.number().optional(),
  Timeout: z.number().optional(),
  StartPeriod: z.number().optional(),
  Retries: z.number().optional(),
});

/** Docker and OCI configs share these fields; Docker writes `null` where OCI omits. */
export const imageConfigSchema = z.looseObject({
  created: z.string().nullish(),
  author: z.string().nullish(),
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().nullish(),
  variant: z.string().nullish(),
  config: z
    .looseObject({
      User: z.string().nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
      Env: z.array(z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      Volumes: z.record(z.string(), z.unknown()).nullish(),
      WorkingDir: z.string().nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
      StopSignal: z.string().nullish(),
      Healthcheck: healthcheckSchema.nullish(),
    })
    .nullish(),
  rootfs: z.looseObject({ type: z.string(), diff_ids: z.array(digestSchema) }),
  history: z
    .array(
      z.looseObject({
        created: z.string().nullish(),
        created_by: z.string().nullish(),
        author: z.string().nullish(),
        comment: z.string().nullish(),
        empty_layer: z.boolean().nullish(),
      }),
    )
    .nullish(),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; index: ImageIndex }
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest };

function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'invalid document';
  const path = first.path.length > 0 ? first.path.join('.') : '(root)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return `${path}: ${first.message}${more}`;
}

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
    const r = imageIndexSchema.safeParse(doc);
    if (!r.success) throw new ProtocolError(`invalid ${what} (index) ${describeIssues(r.error)}`);
    return { kind, mediaType: mediaType!, index: r.data };
  }
  const r = imageManifestSchema.safeParse(doc);
  if (!r.success) throw new ProtocolError(`invalid ${what} ${describeIssues(r.error)}`);
  return { kind, mediaType: mediaType!, manifest: r.data };
}

export function parseImageConfig(bytes: Uint8Array, what = 'image config'): ImageConfig {
  const r = imageConfigSchema.safeParse(parseJson(bytes, what));
  if (!r.success) throw new ProtocolError(`invalid ${what} ${describeIssues(r.error)}`);
  return r.data;
}

export function parseIndex(bytes: Uint8Array, what = 'index'): ImageIndex {
  const r = imageIndexSchema.safeParse(parseJson(bytes, what));
  if (!r.success) throw new ProtocolError(`invalid ${what} ${describeIssues(r.error)}`);
  return r.data;
}
