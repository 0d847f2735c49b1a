import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { quietLogger } from '@llm/testing';
import { signWebhook, WebhookSender } from './webhook.sender';

/** A real local HTTP endpoint: the first delivery fails with 503, the retry is accepted and correctly signed. */
describe('WebhookSender', () => {
  let server: Server;
  let url: string;
  const received: { status: number; body: string; signature: string; timestamp: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const status = received.length === 0 ? 503 : 204;
        received.push({ status, body, signature: String(req.headers['x-ledger-signature']), timestamp: String(req.headers['x-ledger-timestamp']) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('retries a failed delivery and signs each with HMAC-SHA256 over timestamp and body', async () => {
    const sender = new WebhookSender(quietLogger(), { attempts: 3, timeoutMs: 2_000, baseDelayMs: 1 });
    expect(await sender.send({ url, secret: 'whsec-0123456789abcdef' }, { alert_id: 'a1', kind: 'expensive_request' })).toBe(true);
    expect(received.map((r) => r.status)).toEqual([503, 204]);
    for (const r of received) expect(r.signature).toBe(signWebhook('whsec-0123456789abcdef', r.timestamp, r.body));
    expect(JSON.parse(received[1]!.body)).toEqual({ alert_id: 'a1', kind: 'expensive_request' });
  });

  it('gives up after its attempts when the endpoint cannot be reached', async () => {
    const sender = new WebhookSender(quietLogger(), { attempts: 2, timeoutMs: 500, baseDelayMs: 1 });
    expect(await sender.send({ url: 'http://127.0.0.1:1/closed', secret: 'whsec-0123456789abcdef' }, {})).toBe(false);
  });
});
