/**
 * What the retention commands need from a place that stores images: read the repository (tags,
 * manifests, configs, referrers, and — where the back end can enumerate them — every manifest
 * version including untagged ones), re-read the tags right before deleting, and delete one
 * manifest. Two implementations: the OCI Distribution API (any registry, `registry-backend.ts`)
 * and the GitHub Packages API for ghcr.io (`src/github/`).
 *
 * Everything a back end returns is a raw fact for {@link buildInventory}; the planner and the
 * apply engine never talk to a registry themselves.
 */
import { ExitCode, GhcrOptimizeError, type ErrorDetails } from '../errors.js';
import type { Descriptor } from '../oci/schema.js';
import type { ConfigFact, ManifestFact, ReferrersFact, VersionFact } from './inventory.js';

/** A planned deletion, as the back end receives it (a subset of the plan item). */
export interface DeleteTarget {
  digest: string;
  /** GHCR package version id, when the plan has one (what GitHub's API deletes). */
  versionId?: number;
  /** The tags the plan saw on the digest (for messages; the check happened before). */
  tags: readonly string[];
}

/** `deleted`: the back end removed it. `absent`: it was already gone (not an error). */
export type DeleteOutcome = 'deleted' | 'absent';

export interface RetentionBackend {
  /** Which implementation: `registry` (Distribution API) or `github` (GitHub Packages API). */
  readonly kind: 'registry' | 'github';
  /** `host/name` (e.g. `ghcr.io/owner/app`): recorded in plans and matched when applying one. */
  readonly repository: string;
  /**
   * Every tag and the digest it points to right now (tag → digest). Called to gather the
   * inventory and again before each deletion wave, so it must not cache. Throws when a tag's
   * digest cannot be learned (a tag of unknown target could be deleted along with a digest).
   */
  listTags(signal?: AbortSignal): Promise<Map<string, string>>;
  /**
   * Every manifest version the back end can enumerate, tagged or not (GHCR package versions).
   * Absent when it cannot: the Distribution API has no way to list untagged manifests.
   */
  listVersions?(signal?: AbortSignal): Promise<VersionFact[]>;
  /** One manifest or index by digest: fetched, verified against the digest, parsed. */
  fetchManifest(digest: string, signal?: AbortSignal): Promise<ManifestFact>;
  /** The `created` field of an image config blob. */
  fetchConfig(config: Descriptor, signal?: AbortSignal): Promise<ConfigFact>;
  /**
   * Referrers of `subject` (OCI 1.1 referrers API). Undefined when the back end has nothing to add
   * beyond what the tags already show (no API: the `sha256-<hex>` fallback tags are in the tag
   * list, and the gatherer follows them).
   */
  listReferrers?(subject: string, signal?: AbortSignal): Promise<ReferrersFact | undefined>;
  /**
   * Deletes one manifest by digest (GHCR: its package version). Throws a
   * {@link DeleteUnsupportedError} when the back end refuses deletes altogether, so the caller
   * stops before trying anything else.
   */
  deleteManifest(target: DeleteTarget, signal?: AbortSignal): Promise<DeleteOutcome>;
  close?(): Promise<void>;
}

/**
 * The back end refuses deletes altogether: a registry without `storage.delete` (405 or
 * `UNSUPPORTED`), ghcr.io through the Distribution API (exit 6). A token without the delete
 * permission is an `AuthError` instead (exit 3). Apply stops at either: nothing else is
 * attempted.
 */
export class DeleteUnsupportedError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Protocol;
  readonly kind = 'delete-unsupported';
  constructor(
    message: string,
    readonly status?: number,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}
