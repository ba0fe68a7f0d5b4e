// Container logs through the API (kubectl logs): GET pods/<name>/log returns
// what the container wrote to stdout and stderr; tailLines keeps the last
// lines, previous reads the run before a restart, follow streams new lines.

import { check } from '../../lib/check.ts';
import {
  busyboxContainer, followLog, livenessProbe, podHttp, podManifest, podNamespace, readLog, readyNodes, restartCount, runPod, sleep, untilLog,
  webContainer,
} from './support.ts';

const CITES = 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#read-log-of-the-specified-pod';

check({
  id: 'pods.logs.read',
  title: 'GET pods/<name>/log returns what the container wrote (kubelab/web\'s "listening … as pod <name>" line)',
  lab: 'pods', points: 2, cites: 'https://kubernetes.io/docs/concepts/cluster-administration/logging/', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  await runPod(t, namespace, podManifest('talker', webContainer()));
  t.step('GET pods/talker/log');
  await untilLog(t, namespace, 'talker', 'the log to have the line "kubelab/web:1 listening on … as pod talker"',
    (log) => /^kubelab\/web:1 listening on \S+ as pod talker$/m.test(log));
});

check({
  id: 'pods.logs.tail-lines',
  title: 'GET pods/<name>/log?tailLines=2 returns only the last two lines',
  lab: 'pods', points: 1, cites: CITES, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const args = ['echo', 'one', '&&', 'echo', 'two', '&&', 'echo', 'three', '&&', 'sleep', 'infinity'];
  await runPod(t, namespace, podManifest('counter', busyboxContainer(args)));
  await untilLog(t, namespace, 'counter', 'the whole log "one\\ntwo\\nthree\\n"', (log) => log === 'one\ntwo\nthree\n');
  t.step('GET pods/counter/log?tailLines=2');
  const tail = await readLog(t, namespace, 'counter', { tailLines: 2 });
  if (tail !== 'two\nthree\n') t.fail('"two\\nthree\\n"', JSON.stringify(tail), [], 'tailLines=N keeps the last N lines of the log');
});

check({
  id: 'pods.logs.previous',
  title: 'After a restart, GET pods/<name>/log?previous=true returns the log of the run before, and the plain log that of the new run',
  lab: 'pods', points: 2, cites: CITES, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const { pod, watch } = await runPod(t, namespace, podManifest('phoenix', webContainer({}, { livenessProbe: livenessProbe() })));
  t.step('POST /fail/healthz: the liveness probe fails and the container is restarted');
  await podHttp(t, pod, '/fail/healthz', { method: 'POST' });
  await watch.until('restartCount 1', (p) => restartCount(p) >= 1, 15_000);
  const previous = await untilLog(t, namespace, 'phoenix', 'the previous run\'s log, with its "/healthz now answers 503" line',
    (log) => log.includes('/healthz now answers 503'), { previous: true });
  if (!/listening on .* as pod phoenix/.test(previous)) {
    t.fail('the previous run\'s log from its start ("listening … as pod phoenix")', JSON.stringify(previous.slice(0, 500)));
  }
  await watch.until('the container running again', (p) => p.status?.containerStatuses?.[0]?.state?.running && restartCount(p) >= 1, 15_000);
  const current = await untilLog(t, namespace, 'phoenix', 'the new run\'s log with its own "listening" line', (log) => /listening on .* as pod phoenix/.test(log));
  if (current.includes('/healthz now answers 503')) {
    t.fail('the current log without the previous run\'s lines', JSON.stringify(current.slice(0, 500)), [], 'each run of a container has a log of its own');
  }
});

check({
  id: 'pods.logs.follow',
  title: 'GET pods/<name>/log?follow=true keeps the response open and streams new lines as the container writes them',
  lab: 'pods', points: 2, cites: CITES, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  await runPod(t, namespace, podManifest('ticker', webContainer({ LOG_EVERY_SECONDS: '0.3' })));
  await untilLog(t, namespace, 'ticker', 'a first "log line 1 from pod ticker"', (log) => log.includes('log line 1 from pod ticker'));
  t.step('GET pods/ticker/log?follow=true');
  const stream = followLog(t, namespace, 'ticker');
  const status = await stream.status;
  if (status !== 200) t.fail('the followed log to answer 200', `HTTP ${status}: ${stream.text().slice(0, 300)}`);
  const highest = () => Math.max(0, ...[...stream.text().matchAll(/log line (\d+) from pod ticker/g)].map((m) => Number(m[1])));
  await t.eventually('a first line on the open stream', async () => (highest() > 0 ? true : undefined), { timeoutMs: 5000, seen: () => JSON.stringify(stream.text()) });
  const first = highest();
  t.step('wait 1.5 s with the stream open');
  await sleep(1500);
  const later = highest();
  if (later < first + 2) {
    t.fail(`new lines on the open stream (after "log line ${first}", at least "log line ${first + 2}" 1.5 s later)`, `the last line is "log line ${later}"`,
      [{ label: 'received', value: stream.text().slice(-800) }], 'a followed log sends each line when the container writes it, without closing the response');
  }
});
