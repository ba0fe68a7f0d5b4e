// The baseline for the API benchmark: a bare node:http(s) server that answers the
// same requests as the API server (create a pod from a JSON body, get it, list
// them) with nothing else: no store, validation, defaulting or watch. The ratio
// of the API server to this tells how much the orchestration costs.

import https from 'node:https';
import { readFileSync } from 'node:fs';

const pods = new Map<string, any>();
let revision = 0;

const server = https.createServer({ cert: readFileSync(process.env.CERT!), key: readFileSync(process.env.KEY!) }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'https://bare');
    const parts = url.pathname.split('/').filter(Boolean); // api v1 namespaces ns pods [name]
    let code = 200;
    let body: unknown;
    if (req.method === 'POST') {
      const pod = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      pod.metadata.resourceVersion = String(++revision);
      pods.set(pod.metadata.name, pod);
      code = 201;
      body = pod;
    } else if (parts.length === 6) {
      body = pods.get(parts[5]);
      if (!body) code = 404;
    } else {
      body = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(revision) }, items: [...pods.values()] };
    }
    const text = JSON.stringify(body ?? {});
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('bare server ready'));
process.on('SIGTERM', () => process.exit(0));
