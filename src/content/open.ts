/** Turns a parsed location (`ghcr.io/o/a:1`, `oci:DIR:TAG`) into a Target and the reference within it. */
import { UsageError } from '../errors.js';
import type { Location } from '../ref/index.js';
import type { RegistryClient } from '../registry/client.js';
import { OciLayoutTarget } from './oci-layout.js';
import { RemoteTarget } from './remote.js';
import type { Target } from './target.js';

export interface OpenedLocation {
  target: Target;
  /** Tag or digest inside the target; undefined when the location named none. */
  reference: string | undefined;
}

export async function openLocation(
  loc: Location,
  client: () => Promise<RegistryClient>,
  opts: { create?: boolean; allowMissing?: boolean } = {},
): Promise<OpenedLocation> {
  switch (loc.transport) {
    case 'docker': {
      const c = await client();
      return {
        target: new RemoteTarget(c.repository(loc.ref.registry, loc.ref.repository)),
        // A digest pins the content even when a tag is also given (Docker's rule).
        reference: loc.ref.digest ?? loc.ref.tag,
      };
    }
    case 'oci':
      return { target: await OciLayoutTarget.open(loc.dir, opts), reference: loc.digest ?? loc.tag };
    case 'docker-archive':
      throw new UsageError('docker-archive: is only supported as a copy/pull destination', {
        hint: 'read images from a registry or an oci: layout',
      });
  }
}
