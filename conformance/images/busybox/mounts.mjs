// Container paths → real paths, for the lab images.
//
// A real container sees its volumes at their mountPaths. The process runtime
// has no mount namespace, so the node agent passes KUBELAB_MOUNTS, a JSON
// object { mountPath: real folder }, and the images look paths up in it.
// Without KUBELAB_MOUNTS (a real container) a path is used as it is.
//
// This file is the same in every image of the catalogue (each image folder
// stands alone, as an image does); a test keeps the copies identical.

import { join, posix } from 'node:path';

/** The mounts from KUBELAB_MOUNTS, or null when it is not set (a real container). */
export function readMounts(env = process.env) {
  if (env.KUBELAB_MOUNTS === undefined) return null;
  const mounts = JSON.parse(env.KUBELAB_MOUNTS);
  if (typeof mounts !== 'object' || mounts === null || Array.isArray(mounts)) {
    throw new Error(`KUBELAB_MOUNTS must be a JSON object { mountPath: folder }, got ${env.KUBELAB_MOUNTS}`);
  }
  return mounts;
}

/**
 * The real path of an absolute container path. The longest mountPath that
 * contains the path wins, so a volume mounted at /data/cache hides the part
 * of a volume at /data below it, as in a real container.
 * Throws an error with a `status` of 400 when the path is under no mount.
 */
export function realPath(containerPath, mounts) {
  if (!containerPath.startsWith('/')) throw pathError(`container paths are absolute; got "${containerPath}"`);
  // normalize() removes "." and "..", so "/data/../etc" is "/etc" and cannot escape a mount.
  const path = posix.normalize(containerPath);
  if (mounts === null) return path;

  let best = null;
  for (const [mountPath, folder] of Object.entries(mounts)) {
    const prefix = posix.normalize(mountPath).replace(/\/+$/, ''); // "/data/" → "/data", "/" → ""
    const inside = path === prefix || path.startsWith(prefix + '/');
    if (inside && (best === null || prefix.length > best.prefix.length)) best = { prefix, folder };
  }
  if (best === null) {
    const known = Object.keys(mounts);
    const where = known.length ? `its mounts are ${known.join(', ')}` : 'it has no volume mounts';
    throw pathError(`${path} is under no volume mount of this container (${where})`);
  }
  return join(best.folder, path.slice(best.prefix.length));
}

function pathError(message) {
  const error = new Error(message);
  error.status = 400;
  return error;
}
