/**
 * buildah command lines for a service plan. Pure. One `bud` per platform adds that platform's
 * image to a manifest list; `manifest push --all` then pushes every image and the list (an OCI
 * index) under one tag. Storage and isolation come from buildah's own environment
 * (CONTAINERS_STORAGE_CONF, BUILDAH_ISOLATION), as in any other buildah use.
 */
import { posix } from 'node:path';
import type { ServicePlan } from './plan.js';

/** `bud` for one platform; `contextDir` is absolute (the config file's directory joined with the context). */
export function budArgs(s: ServicePlan, platform: string, list: string, contextDir: string): string[] {
  const args = ['bud', '--platform', platform, '--manifest', list];
  args.push('--file', posix.join(contextDir, s.dockerfile));
  if (s.stage !== undefined) args.push('--target', s.stage);
  for (const [k, v] of Object.entries(s.args)) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(s.labels)) args.push('--label', `${k}=${v}`);
  // buildah annotates the image manifest; index-level annotations have no bud flag.
  for (const a of s.annotations) {
    const m = /^manifest(?:\[[^\]]*\])?:(.*)$/.exec(a);
    if (m) args.push('--annotation', m[1]!);
  }
  args.push(contextDir);
  return args;
}

export interface PushAccess {
  /** Plain HTTP or unverified TLS (loopback and `insecure:` registries). */
  insecure: boolean;
  /** containers-auth.json with the credential for the registry (never a secret on the command line). */
  authFile?: string;
}

export function manifestPushArgs(
  list: string,
  reference: string,
  digestFile: string,
  access: PushAccess,
): string[] {
  return [
    'manifest',
    'push',
    '--all',
    ...(access.insecure ? ['--tls-verify=false'] : []),
    ...(access.authFile !== undefined ? ['--authfile', access.authFile] : []),
    '--digestfile',
    digestFile,
    list,
    `docker://${reference}`,
  ];
}

export function manifestRmArgs(list: string): string[] {
  return ['manifest', 'rm', list];
}
