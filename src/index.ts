/** ghcr-optimize as a library: references, the OCI model, the registry client and content targets. */
export * from './errors.js';
export * from './ref/index.js';
export * from './oci/index.js';
export { RegistryClient, Repository, referrersFallbackTag, MANIFEST_LIMIT } from './registry/client.js';
export type {
  RegistryClientOptions,
  PingResult,
  PushBlobOptions,
  PushBlobResult,
  ReferrersResult,
} from './registry/client.js';
export { Transport } from './registry/transport.js';
export type { TransportOptions } from './registry/transport.js';
export { Authenticator } from './registry/auth.js';
export {
  findCredential,
  listCredentialSources,
  storeCredential,
  eraseCredential,
} from './registry/credentials/index.js';
export type { Credential } from './registry/credentials/index.js';
export type { Target, ReadTarget, WriteTarget } from './content/target.js';
export { fetchBlobBytes } from './content/target.js';
export { RemoteTarget } from './content/remote.js';
export { OciLayoutTarget } from './content/oci-layout.js';
export { openLocation } from './content/open.js';
export { describe as describeImage, selectManifest, fetchConfig } from './inspect/describe.js';
export { probeRegistry } from './monitor/health.js';
export type { HealthResult } from './monitor/health.js';
export * from './transfer/index.js';
export * as meta from './meta/index.js';
export * as scan from './scan/index.js';
export * as retention from './retention/index.js';
export * as analyze from './analyze/index.js';
export * as store from './store/index.js';
export * as sbom from './sbom/index.js';
export * as sign from './sign/index.js';
export * as config from './config/index.js';
