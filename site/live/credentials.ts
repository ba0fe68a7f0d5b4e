// What the live view needs to reach a cluster, read from a kubeconfig: the
// server, the CA that signed its certificate, and the user's credentials (a
// bearer token, or a client certificate and key). Only the proxy (proxy.ts)
// holds them; the page never sees them.
//
// The kubeconfig is read where the conformance harness reads one, so both
// understand the same kubeconfigs.

export { readKubeconfig, type ClusterCredentials } from '../../conformance/harness/read-kubeconfig.ts';
