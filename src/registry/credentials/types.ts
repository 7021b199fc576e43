/** What one source knows about a registry. Exactly the fields a source supplied are present. */
export interface CredentialFields {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token endpoint. */
  identityToken?: string;
  /** A bearer token to send as-is (Docker's `registrytoken`), no token exchange. */
  registryToken?: string;
}

export interface Credential extends CredentialFields {
  /** Human-readable origin, e.g. "flags", "env GITHUB_TOKEN", "/root/.docker/config.json (auths)". */
  source: string;
}

export type CredentialKind = 'password' | 'token' | 'identity-token' | 'registry-token';

export interface CredentialSourceInfo {
  source: string;
  username?: string;
  kind: CredentialKind;
  /** True for the one source `findCredential` would use: the first in lookup order. */
  active: boolean;
}

export interface CredentialOptions {
  /** The environment to read; also the environment credential helpers run in. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Default: `env.HOME`, then the OS home directory. */
  homeDir?: string;
  /** From `--username`/`--password`/`--password-stdin`; used only when a password is present. */
  explicit?: { username?: string; password?: string };
  /** Repository path (e.g. `owner/app`), for the namespaced keys containers' auth.json allows. */
  repository?: string;
  /** How long a `docker-credential-*` helper may take. Default 10 s. */
  helperTimeoutMs?: number;
}

/** Options resolved once per call so every module sees the same environment. */
export interface CredentialContext {
  env: NodeJS.ProcessEnv;
  homeDir: string;
  explicit: { username?: string; password?: string } | undefined;
  repository: string | undefined;
  helperTimeoutMs: number;
}

/** A credential as a source produced it, before the public view strips the kind. */
export interface FoundCredential {
  credential: Credential;
  kind: CredentialKind;
}
