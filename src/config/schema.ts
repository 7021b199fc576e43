/** The zod schema of `ghcr-optimize.yaml` (loaded only when a config file exists). */
import { z } from 'zod';

export const registryConfigSchema = z.strictObject({
  /** Plain HTTP (or unverified TLS) for this host. Loopback hosts get this automatically. */
  insecure: z.boolean().optional(),
  /** PEM file with the CA that signed this registry's certificate. */
  caFile: z.string().optional(),
  /** Parallel connections to this registry. */
  concurrency: z.number().int().min(1).max(64).optional(),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

export const configSchema = z.looseObject({
  registries: z.record(z.string(), registryConfigSchema.nullish()).optional(),
  health: z
    .strictObject({
      samples: z.number().int().min(1).max(100).optional(),
      /** p95 latency above this marks a registry unhealthy. */
      maxLatencyMs: z.number().positive().optional(),
    })
    .optional(),
});
export type Config = z.infer<typeof configSchema>;
