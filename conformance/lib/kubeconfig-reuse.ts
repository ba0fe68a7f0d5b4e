// A KubeConfig whose requests share connections.
//
// @kubernetes/client-node makes a new https.Agent for every request
// (KubeConfig.applySecurityAuthentication and applyToFetchOptions call its
// createAgent each time), so every call of a check opened a new TCP connection,
// parsed the cluster's CA again and made a full TLS handshake, on both sides.
// The checks poll, and a run makes thousands of calls: TLS set-up was a seventh
// of the check workers' CPU in a profile of a whole run. This subclass keeps one
// keep-alive agent per set of TLS options, made from the options client-node
// chose, so what is sent (headers, CA, client certificate) is unchanged; only
// connections are reused, as kubectl reuses them.

import * as k8s from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

type Agent = http.Agent | https.Agent;
type RequestContext = Parameters<k8s.KubeConfig['applySecurityAuthentication']>[0];
type FetchOptions = Awaited<ReturnType<k8s.KubeConfig['applyToFetchOptions']>>;

/** One keep-alive agent per distinct set of agent options (a worker's checks share them). */
const SHARED_AGENTS = new Map<string, Agent>();

function sharedAgent(made: Agent | undefined): Agent | undefined {
  // A proxy agent (a kubeconfig's proxy-url) is kept as client-node made it.
  if (!(made instanceof http.Agent)) return made;
  const options = (made as Agent & { options: https.AgentOptions }).options;
  const key = JSON.stringify([made instanceof https.Agent, options]);
  let agent = SHARED_AGENTS.get(key);
  if (!agent) {
    const Kind = made instanceof https.Agent ? https.Agent : http.Agent;
    agent = new Kind({ ...options, keepAlive: true });
    SHARED_AGENTS.set(key, agent);
  }
  return agent;
}

export class ConnectionReusingKubeConfig extends k8s.KubeConfig {
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const agent = sharedAgent(context.getAgent());
    if (agent) context.setAgent(agent);
  }

  override async applyToFetchOptions(opts: https.RequestOptions): Promise<FetchOptions> {
    const init = await super.applyToFetchOptions(opts);
    return { ...init, agent: sharedAgent(init.agent as Agent | undefined) };
  }
}
