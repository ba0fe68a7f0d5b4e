// The live view (site/live/README.md): `kubelab up` serves it beside the
// cluster it starts; `kubelab view` serves it for any running cluster, named by
// its kubeconfig.

import { readKubeconfig } from '../conformance/harness/read-kubeconfig.ts';
import { DEFAULT_VIEW_PORT, startLiveView, type LiveView } from '../site/live/server.ts';

export { DEFAULT_VIEW_PORT };

export async function startView(options: { kubeconfig: string; port?: number }): Promise<LiveView> {
  const view = await startLiveView({ credentials: readKubeconfig(options.kubeconfig), port: options.port ?? DEFAULT_VIEW_PORT });
  console.log(`kubelab: live view: ${view.url}`);
  return view;
}
