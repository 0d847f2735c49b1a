import { Writable } from 'node:stream';
import { createLogger, hashUserId, requestLogFields } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

describe('logger', () => {
  it('writes JSON with the service and never the prompt or credentials', () => {
    const { lines, logger } = capture();
    logger.info({ request: { body: { messages: [{ role: 'user', content: 'my secret prompt' }] } }, apiKey: 'sk-live-123' }, 'accepted');
    logger.info({ messages: ['also secret'], authorization: 'Bearer sk-x' }, 'other');
    const text = JSON.stringify(lines);
    expect(lines[0]).toMatchObject({ service: 'test', level: 'info', msg: 'accepted' });
    expect(text).not.toContain('my secret prompt');
    expect(text).not.toContain('also secret');
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('sk-x');
  });

  it('hashes user ids deterministically', () => {
    expect(hashUserId('alice')).toBe(hashUserId('alice'));
    expect(hashUserId('alice')).not.toBe(hashUserId('bob'));
    expect(hashUserId('alice')).not.toContain('alice');
    expect(requestLogFields({ request_id: 'r', tenant_id: 't', user_id: 'alice' }).user_id).toBe(hashUserId('alice'));
  });
});
