// Authentication: every API request must carry the cluster's bearer token. A request
// with a wrong token fails with 401 Unauthorized and a Status body, before the
// server looks at what was asked. A request with no token at all is 401 as well,
// unless the server admits anonymous users (kube-apiserver --anonymous-auth), in
// which case the anonymous user is refused with 403 Forbidden: either way nothing
// is read or written.

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { rawStatus } from './support.ts';

const CITES = 'kubernetes.io/docs/reference/access-authn-authz/authentication/ (Static token file, Anonymous requests)';

function requestsFor(namespace: string) {
  return [
    { method: 'GET', path: `/api/v1/namespaces/${namespace}/pods` },
    { method: 'GET', path: '/apis/apps/v1/deployments' },
    { method: 'POST', path: `/api/v1/namespaces/${namespace}/configmaps`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'intruder' } } },
  ];
}

async function expectNothingWritten(t: CheckContext, namespace: string): Promise<void> {
  const list = await t.core.listNamespacedConfigMap({ namespace });
  if (list.items.some((cm) => cm.metadata?.name === 'intruder')) {
    t.fail('no ConfigMap intruder', 'the create without a valid token was stored');
  }
}

check({
  id: 'api.auth.wrong-token',
  title: 'A request with a wrong bearer token fails with 401 Unauthorized and a Status body, for reads and writes',
  lab: 'api', points: 1, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  for (const request of requestsFor(namespace)) {
    t.step(`${request.method} ${request.path} with token "wrong"`);
    const res = await t.raw({ ...request, token: 'wrong' });
    rawStatus(t, `${request.method} ${request.path} with a wrong token`, res, { code: 401, reason: 'Unauthorized' });
  }
  await expectNothingWritten(t, namespace);
});

check({
  id: 'api.auth.no-token',
  title: 'A request without a bearer token fails with 401 Unauthorized and a Status body (403 Forbidden where anonymous users are enabled), for reads and writes',
  lab: 'api', points: 1, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  for (const request of requestsFor(namespace)) {
    t.step(`${request.method} ${request.path} without Authorization header`);
    const res = await t.raw({ ...request, token: null });
    const expected = res.status === 403 ? { code: 403, reason: 'Forbidden' } : { code: 401, reason: 'Unauthorized' };
    rawStatus(t, `${request.method} ${request.path} without a token`, res, expected);
  }
  await expectNothingWritten(t, namespace);
});
