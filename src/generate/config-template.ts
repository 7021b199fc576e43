/**
 * The starter `ghcr-optimize.yaml` that `init` writes: the seed project's three services, both
 * platforms, the build cache tiers and metadata-action tag rules, with comments saying what each
 * key does. Written as text (the comments are the point) and checked against the config schema
 * by the tests. Pure.
 */
import { CONFIG_SCHEMA_ID } from '../config/json-schema.js';
import { DEFAULT_MAX_PARALLEL, DEFAULT_PLATFORMS, SEED_SERVICES } from '../config/services.js';

export interface ConfigTemplateOptions {
  /** User or organisation owning the packages. */
  owner: string;
  /** Default ghcr.io. */
  registry?: string;
  /** Default the seed's backend, frontend and auth. */
  services?: readonly string[];
  platforms?: readonly string[];
  maxParallel?: number;
}

const OWNER = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function isValidOwner(owner: string): boolean {
  return OWNER.test(owner);
}

export function configTemplate(opts: ConfigTemplateOptions): string {
  const services = opts.services ?? Object.keys(SEED_SERVICES);
  const platforms = opts.platforms ?? DEFAULT_PLATFORMS;
  const lines = [
    `# yaml-language-server: $schema=${CONFIG_SCHEMA_ID}`,
    '# ghcr-optimize configuration. Every key is optional; "ghcr-optimize config show" prints the',
    '# services with every default filled in, "ghcr-optimize config validate" checks this file.',
    '',
    `registry: ${opts.registry ?? 'ghcr.io'} # where images are pushed`,
    `owner: ${opts.owner} # images are REGISTRY/OWNER/SERVICE`,
    '',
    'services:',
  ];
  for (const name of services) {
    const seed = SEED_SERVICES[name];
    lines.push(`  ${name}:`);
    lines.push(`    context: ./${name} # build context; its Dockerfile is ./${name}/Dockerfile`);
    if (seed) {
      lines.push(`    port: ${seed.port}`);
      lines.push(`    health: ${seed.health} # HTTP path answered when healthy`);
    }
    lines.push('    # paths: [libs/common/**] # more paths whose change rebuilds this service');
  }
  lines.push(
    '',
    'build:',
    `  platforms: [${platforms.join(', ')}]`,
    `  maxParallel: ${opts.maxParallel ?? DEFAULT_MAX_PARALLEL} # services built at once (the workflow's max-parallel)`,
    '  cache: [gha, registry] # buildx cache tiers, in lookup order (gha, registry, local)',
    '  provenance: true # provenance attestation, mode=max',
    '  sbom: false',
    '  # shared: [package-lock.json] # a change here rebuilds every service',
    '',
    '# Tag rules, as docker/metadata-action takes them: branch and pull request builds, semver tags',
    '# from v1.2.3 git tags, and the short commit SHA. "ghcr-optimize meta" shows what they give.',
    'tags:',
    '  - type=ref,event=branch',
    '  - type=ref,event=pr',
    '  - type=semver,pattern={{version}}',
    '  - type=semver,pattern={{major}}.{{minor}}',
    '  - type=sha',
    '',
  );
  return lines.join('\n');
}
