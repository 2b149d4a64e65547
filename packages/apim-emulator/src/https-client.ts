/** Minimal HTTPS client with a configurable CA (Node's fetch cannot take a CA without extra deps). */
import https from 'node:https';
import http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body !== undefined)
      headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = lib.request(
      url,
      {
        method: req.method ?? 'GET',
        headers,
        ca: req.ca,
        agent: false,
        signal: req.signal,
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    r.on('error', reject);
    if (req.timeoutMs) {
      r.setTimeout(req.timeoutMs, () =>
        r.destroy(new Error(`Request to ${url.origin} timed out`)),
      );
    }
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
