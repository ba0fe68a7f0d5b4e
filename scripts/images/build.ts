// Builds every image the container driver needs, without a registry: the busybox
// and node bases, the lab images and an implementation's image (the reference's
// unless --impl names another). Images whose inputs did not change are kept.
//
//   npx tsx scripts/images/build.ts [--impl DIR]      (the same as: kubelab images build)

import { buildImages } from '../../cli/images.ts';

const at = process.argv.indexOf('--impl');
process.exitCode = await buildImages({ impl: at > 0 ? process.argv[at + 1] : undefined });
