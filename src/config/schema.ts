/**
 * The zod schema of `ghcr-optimize.yaml` (loaded only when a config file exists). The JSON Schema
 * for editors (`schema/ghcr-optimize.schema.json`, `config schema`) is generated from it, so the
 * two cannot drift. Defaults are applied by `services.ts`, not here: a schema default would make
 * `config show` unable to tell what the user wrote from what the tool assumed.
 */
import { z } from 'zod';
import { retentionConfigSchema } from '../retention/policy.js';
import { parseDuration, parseSize } from '../util/units.js';

export const registryConfigSchema = z.strictObject({
  /** Plain HTTP (or unverified TLS) for this host. Loopback hosts get this automatically. */
  insecure: z.boolean().optional(),
  /** PEM file with the CA that signed this registry's certificate. */
  caFile: z.string().optional(),
  /** Parallel connections to this registry. */
  concurrency: z.number().int().min(1).max(64).optional(),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

/** `2GB`, `512MiB`, or a byte count. */
const sizeText = z
  .union([z.string(), z.number().int().nonnegative()])
  .superRefine((value, ctx) => {
    if (typeof value === 'number') return;
    try {
      parseSize(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  })
  .describe('a size: a byte count or text such as 2GB, 512MiB');

/** `30s`, `90d`. */
const durationText = z
  .string()
  .superRefine((value, ctx) => {
    try {
      if (parseDuration(value) === 'forever') ctx.addIssue({ code: 'custom', message: 'must be finite' });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  })
  .describe('a duration such as 30s, 5m, 24h, 90d');

const platformText = z
  .string()
  .regex(/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/, 'use os/arch or os/arch/variant, e.g. linux/arm64');

const serviceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'use lower-case letters, digits, ".", "_" or "-"');

const pathGlob = z.string().min(1).max(1024);

/** A relative URL path that the service answers on when healthy. */
const httpPath = z.string().regex(/^\//, 'must start with "/"');

export const smokeTestSchema = z.strictObject({
  /** Human label shown in `validate` output. */
  name: z.string().optional(),
  path: httpPath,
  /** Expected HTTP status (default 200). */
  status: z.number().int().min(100).max(599).optional(),
  /** Text the body must contain. */
  contains: z.string().optional(),
});

export const serviceConfigSchema = z.strictObject({
  /** Image repository; default `<registry>/<owner>/<service name>`. A tag or digest is ignored. */
  image: z.string().min(1).optional(),
  /** Build context, relative to the config file. Default `./<service name>`. */
  context: z.string().min(1).optional(),
  /** Dockerfile, relative to the context. Default `Dockerfile`. */
  dockerfile: z.string().min(1).optional(),
  /** Build stage to stop at (`docker build --target`). */
  target: z.string().min(1).optional(),
  /** Port the container listens on. */
  port: z.number().int().min(1).max(65535).optional(),
  /** HTTP health check path. */
  health: httpPath.optional(),
  platforms: z.array(platformText).min(1).optional(),
  buildArgs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** More paths (globs, relative to the config file) whose change rebuilds this service. */
  paths: z.array(pathGlob).optional(),
  cache: z
    .strictObject({
      /** Local blob cache limit for this service (default: `cache.maxSizePerService`). */
      maxSize: sizeText.optional(),
    })
    .optional(),
  /** Container resources for generated compose files. */
  resources: z
    .strictObject({
      cpus: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/)]).optional(),
      memory: sizeText.optional(),
    })
    .optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Compose volume mounts (`data:/var/lib/app`, `./conf:/etc/app:ro`); named volumes are declared. */
  volumes: z
    .array(z.string().regex(/^[^:]+:\/[^:]*(?::(?:ro|rw))?$/, 'use SOURCE:/container/path[:ro]'))
    .optional(),
  /** Services that must be healthy before this one starts (compose `depends_on`). */
  dependsOn: z.array(serviceName).optional(),
  /** Compressed image size `validate` accepts (default 1GB). */
  sizeBudget: sizeText.optional(),
  /** How long `validate` waits for the health check to pass (default 30s). */
  startupTimeout: durationText.optional(),
  smoke: z.array(smokeTestSchema).optional(),
});
export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

/**
 * `services:` is normally a map of name → settings. A plain image reference (string) is accepted
 * for a service that is only pulled/cleaned, and so is a list (older files), where each object
 * carries its `name`.
 */
const serviceEntry = z.union([z.string().min(1), serviceConfigSchema]);
const listedService = z.union([
  z.string().min(1),
  serviceConfigSchema.extend({ name: serviceName.optional(), repository: z.string().min(1).optional() }),
]);

/** Where a token comes from: never the secret itself. */
export const credentialSourceSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ helper: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a docker-credential-<name> suffix') }),
  z.strictObject({ dockerConfig: z.literal(true) }),
]);

export const environmentConfigSchema = z.strictObject({
  /** Registry this environment pulls from (default: each service's image registry). */
  registry: z.string().min(1).optional(),
  /** Tag deployed to this environment (compose generate --env); default latest. */
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'not a valid tag')
    .optional(),
  username: z.string().min(1).optional(),
  credential: credentialSourceSchema.optional(),
  /** A token older than this is reported by `health` and `token check` (default 90d). */
  rotation: durationText.optional(),
  /** Scopes the token must have, e.g. [write:packages, delete:packages]. */
  scopes: z.array(z.string().min(1)).optional(),
});

export const buildConfigSchema = z.strictObject({
  /** Services built at once (the publish workflow's matrix `max-parallel`). Default 3. */
  maxParallel: z.number().int().min(1).max(64).optional(),
  /** Default platforms for services that name none. */
  platforms: z.array(platformText).min(1).optional(),
  /** Build cache tiers, in lookup order. Default [gha, registry]. */
  cache: z.array(z.enum(['gha', 'registry', 'local'])).optional(),
  /** Provenance attestation (`mode=max`). Default true. */
  provenance: z.boolean().optional(),
  sbom: z.boolean().optional(),
  /** Paths whose change rebuilds every service (lock files, shared code). */
  shared: z.array(pathGlob).optional(),
});

export const scanConfigSchema = z.strictObject({
  severity: z
    .array(z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']))
    .min(1)
    .optional(),
  ignoreUnfixed: z.boolean().optional(),
  ignoreFile: z.string().optional(),
  exitCode: z.number().int().min(0).max(255).optional(),
});

export const monitoringConfigSchema = z.strictObject({
  /** Exporter address. Default 127.0.0.1:9464. */
  listen: z.string().optional(),
  /** Dashboard address. Default 127.0.0.1:3002. */
  dashboard: z.string().optional(),
  /** Probe interval. */
  interval: durationText.optional(),
  /** Registries probed (default: the configured registry). */
  probes: z.array(z.string().min(1)).optional(),
});

export const configSchema = z.looseObject({
  /** Where images are pushed, e.g. ghcr.io. */
  registry: z.string().min(1).optional(),
  /** User or organisation that owns the packages. */
  owner: z.string().min(1).optional(),
  registries: z.record(z.string(), registryConfigSchema.nullish()).optional(),
  health: z
    .strictObject({
      samples: z.number().int().min(1).max(100).optional(),
      /** p95 latency above this marks a registry unhealthy. */
      maxLatencyMs: z.number().positive().optional(),
    })
    .optional(),
  services: z.union([z.record(serviceName, serviceEntry.nullable()), z.array(listedService)]).optional(),
  build: buildConfigSchema.optional(),
  /** metadata-action inputs: one rule per entry, as in the action's `tags:` input. */
  tags: z.array(z.string().min(1)).optional(),
  flavor: z.array(z.string().min(1)).optional(),
  labels: z.array(z.string().min(1)).optional(),
  annotations: z.array(z.string().min(1)).optional(),
  retention: retentionConfigSchema.nullish(),
  cache: z
    .strictObject({
      /** Local blob cache limit per service. Default 2GB. */
      maxSizePerService: sizeText.optional(),
      /** Blobs unused this long are pruned. Default 24h. */
      maxAge: durationText.optional(),
    })
    .optional(),
  scan: scanConfigSchema.optional(),
  monitoring: monitoringConfigSchema.optional(),
  store: z.strictObject({ url: z.string().min(1).optional() }).nullish(),
  environments: z.record(serviceName, environmentConfigSchema).optional(),
});
export type Config = z.infer<typeof configSchema>;

/** Top-level keys the schema knows; others are kept (a newer file loads in an older tool) but warned about. */
export const KNOWN_KEYS: readonly string[] = Object.keys(configSchema.shape);
