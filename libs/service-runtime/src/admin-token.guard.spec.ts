import type { ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { AdminTokenGuard } from './admin-token.guard';

const TOKEN = 'a-token-of-sixteen-or-more';

function contextWith(authorization?: string): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  // Nest's own context class: the guard reads the request exactly as it does under a real HTTP call.
  return new ExecutionContextHost([request]);
}

describe('AdminTokenGuard', () => {
  const guard = new AdminTokenGuard(TOKEN);

  it('lets the admin token through', () => {
    expect(guard.canActivate(contextWith(`Bearer ${TOKEN}`))).toBe(true);
  });

  it.each([undefined, '', TOKEN, `Bearer ${TOKEN}x`, 'Bearer short', `Basic ${TOKEN}`])('refuses %p with UNAUTHORIZED', (header) => {
    expect(() => guard.canActivate(contextWith(header))).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });
});
