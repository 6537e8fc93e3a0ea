// Sending events to an OpenLineage HTTP backend (Marquez, and the catalogs that speak the
// standard: `POST {url}/{endpoint}` with one event as JSON), configured the way OpenLineage's own
// clients are: `OPENLINEAGE_DISABLED`, then `OPENLINEAGE_URL` (+ `OPENLINEAGE_ENDPOINT`,
// `OPENLINEAGE_API_KEY`), then the first `openlineage.yml` of `$OPENLINEAGE_CONFIG`,
// `./openlineage.yml`, `~/.openlineage/openlineage.yml` with `transport: {type: http, url,
// endpoint, auth: {type: api_key, apiKey}, timeout, compression: gzip}`. An addition to the local
// log, which is always written: failures here are reported, never thrown into a pipeline.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { yaml } from '../vendor';
import { zlib } from '../zlib';

export interface HttpTransport {
  /** The full address events are posted to. */
  url: string;
  apiKey?: string;
  /** Seconds, as openlineage.yml gives it. */
  timeout: number;
  gzip: boolean;
  /** Where the configuration came from, for messages. */
  source: string;
}

export const DEFAULT_ENDPOINT = 'api/v1/lineage';

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

/**
 * The HTTP transport configured here, or null when none is (or OpenLineage is disabled).
 * Throws an Error with a sentence when a configuration exists but cannot be used.
 */
export function httpTransport(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): HttpTransport | null {
  if (truthy(env.OPENLINEAGE_DISABLED)) return null;
  if (env.OPENLINEAGE_URL) {
    return {
      url: joinUrl(env.OPENLINEAGE_URL, env.OPENLINEAGE_ENDPOINT ?? DEFAULT_ENDPOINT),
      apiKey: env.OPENLINEAGE_API_KEY || undefined,
      timeout: 5,
      gzip: false,
      source: 'OPENLINEAGE_URL',
    };
  }
  const candidates = [
    env.OPENLINEAGE_CONFIG,
    path.join(cwd, 'openlineage.yml'),
    path.join(os.homedir(), '.openlineage', 'openlineage.yml'),
  ].filter((f): f is string => !!f);
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) return null;
  let config: unknown;
  try {
    config = yaml().parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
  const transport = (config as { transport?: Record<string, unknown> } | null)?.transport;
  if (!transport) return null;
  if (transport.type !== 'http')
    throw new Error(
      `${file}: transport type ${JSON.stringify(transport.type)} is not supported here (only http)`,
    );
  if (typeof transport.url !== 'string' || !/^https?:\/\//.test(transport.url))
    throw new Error(`${file}: transport.url must be an http(s) address`);
  const auth = transport.auth as { type?: string; apiKey?: string; api_key?: string } | undefined;
  const apiKey = auth?.type === 'api_key' ? (auth.apiKey ?? auth.api_key) : undefined;
  const timeout = Number(transport.timeout ?? 5);
  return {
    url: joinUrl(
      transport.url,
      typeof transport.endpoint === 'string' ? transport.endpoint : DEFAULT_ENDPOINT,
    ),
    apiKey: apiKey || undefined,
    timeout: Number.isFinite(timeout) && timeout > 0 ? timeout : 5,
    gzip: transport.compression === 'gzip',
    source: file,
  };
}

function joinUrl(base: string, endpoint: string): string {
  return `${base.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
}

/** The address without user info or query (an api key may hide in either): for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the OpenLineage backend';
  }
}

/**
 * Posts one event (a JSON line as written); resolves on a 2xx answer, rejects with a sentence.
 * `unref`: the request does not keep the process alive (a pipeline's own exit decides).
 */
export function postEvent(
  transport: HttpTransport,
  line: string,
  options: { unref?: boolean } = {},
): Promise<void> {
  const body = transport.gzip ? zlib().gzipSync(line) : Buffer.from(line);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
  };
  if (transport.gzip) headers['Content-Encoding'] = 'gzip';
  if (transport.apiKey) headers.Authorization = `Bearer ${transport.apiKey}`;
  const url = new URL(transport.url);
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, timeout: transport.timeout * 1000 }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`${describeUrl(transport.url)} answered ${status}`));
      });
    });
    if (options.unref) req.on('socket', (socket) => socket.unref());
    req.on('timeout', () =>
      req.destroy(new Error(`${describeUrl(transport.url)} did not answer in ${transport.timeout} s`)),
    );
    req.on('error', (error) =>
      reject(
        new Error(
          error.message.startsWith(describeUrl(transport.url))
            ? error.message
            : `cannot reach ${describeUrl(transport.url)} (${(error as NodeJS.ErrnoException).code ?? error.message})`,
        ),
      ),
    );
    req.end(body);
  });
}
