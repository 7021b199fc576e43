/**
 * The exporter's metric names, in one place: the exporter renders them, and the generated alert
 * rules and Grafana dashboards query them, so a rename cannot leave a dashboard silently empty.
 */

export const METRIC_PREFIX = 'ghcr_optimize_';

/** The Prometheus job name the generated config scrapes the exporter under. */
export const EXPORTER_JOB = 'ghcr-optimize';

export const M = {
  exporterInfo: 'ghcr_optimize_exporter_info',
  collectorUp: 'ghcr_optimize_collector_up',
  collectorDuration: 'ghcr_optimize_collector_duration_seconds',
  collectorLastSuccess: 'ghcr_optimize_collector_last_success_timestamp_seconds',

  registryUp: 'ghcr_optimize_registry_up',
  registryAuthOk: 'ghcr_optimize_registry_auth_ok',
  registryLatency: 'ghcr_optimize_registry_latency_seconds',
  registryProbeTime: 'ghcr_optimize_registry_probe_timestamp_seconds',

  storageBytes: 'ghcr_optimize_storage_bytes',
  storageReclaimable: 'ghcr_optimize_storage_reclaimable_bytes',
  storageSharedSavings: 'ghcr_optimize_storage_shared_savings_bytes',
  categoryManifests: 'ghcr_optimize_manifests',
  categoryTags: 'ghcr_optimize_tags',
  categoryBytes: 'ghcr_optimize_category_bytes',
  inventoryUp: 'ghcr_optimize_inventory_up',
  inventoryTime: 'ghcr_optimize_inventory_timestamp_seconds',

  vulnerabilities: 'ghcr_optimize_vulnerabilities',
  vulnerabilitiesFixable: 'ghcr_optimize_vulnerabilities_fixable',
  lastRunTime: 'ghcr_optimize_last_run_timestamp_seconds',
  lastRunSuccess: 'ghcr_optimize_last_run_success',
  lastRunDuration: 'ghcr_optimize_last_run_duration_seconds',
  builds: 'ghcr_optimize_builds',
  buildDuration: 'ghcr_optimize_build_duration_seconds',
  cacheHitRatio: 'ghcr_optimize_cache_hit_ratio',
  cacheBlobs: 'ghcr_optimize_cache_blobs',
  reclaimedBytes: 'ghcr_optimize_retention_reclaimed_bytes',
  imageSize: 'ghcr_optimize_image_size_bytes',
  imageWasted: 'ghcr_optimize_image_wasted_bytes',
  tokenAge: 'ghcr_optimize_token_age_seconds',
  tokenExpiry: 'ghcr_optimize_token_expiry_timestamp_seconds',
  storeUp: 'ghcr_optimize_store_up',
  storeEvents: 'ghcr_optimize_store_events',

  githubUp: 'ghcr_optimize_github_api_up',
  rateLimitRemaining: 'ghcr_optimize_github_rate_limit_remaining',
  rateLimitLimit: 'ghcr_optimize_github_rate_limit_limit',
  rateLimitReset: 'ghcr_optimize_github_rate_limit_reset_timestamp_seconds',
} as const;

/** The operations whose last run is reported (`operation` label). */
export const OPERATIONS = ['build', 'scan', 'clean'] as const;
export type Operation = (typeof OPERATIONS)[number];
