// A local HTTP receiver that stands in for Marquez (which cannot run here) in the tests of sending
// to an OpenLineage backend. It checks what the standard's API (../shared/openlineage/spec/
// OpenLineage.yml, POST /lineage) requires: POST, a JSON body that is a valid OpenLineage event,
// gzip when configured, the bearer token; it answers 201 as Marquez does.
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { validateEvent } from './openlineage';

export interface Received {
  path: string;
  gzip: boolean;
  auth: string | undefined;
  event: { eventType?: string; run?: { runId: string } };
}

/** The stand-in for Marquez. `failAt`: answer 500 to that request (1-based), once. */
export function receiver() {
  const received: Received[] = [];
  const problems: string[] = [];
  let requests = 0;
  let failAt = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (requests === failAt) {
        res.writeHead(500).end();
        return;
      }
      const gzip = req.headers['content-encoding'] === 'gzip';
      try {
        if (req.method !== 'POST') problems.push(`method ${req.method}`);
        if (!String(req.headers['content-type']).startsWith('application/json'))
          problems.push(`content-type ${req.headers['content-type']}`);
        const body = Buffer.concat(chunks);
        const event = JSON.parse((gzip ? gunzipSync(body) : body).toString('utf8')) as Received['event'];
        problems.push(...validateEvent(event));
        received.push({ path: req.url ?? '', gzip, auth: req.headers.authorization, event });
        res.writeHead(201).end();
      } catch (error) {
        problems.push(String(error));
        res.writeHead(400).end();
      }
    });
  });
  return {
    received,
    problems,
    failOnce(n: number) {
      failAt = requests + n;
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
