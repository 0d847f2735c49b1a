import { ERROR_CODES } from '@llm/contracts';
import { ingressOpenApi } from './openapi.document';

describe('ingress OpenAPI document', () => {
  const doc = ingressOpenApi() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { 'x-error-codes'?: string[] }> }>> };

  it('is OpenAPI 3.1 and documents every route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/v1/chat/completions', '/v1/models', '/v1/requests', '/v1/requests/{id}', '/v1/requests/{id}/events']);
  });

  it('names every error code of the shared table on every operation', () => {
    for (const path of Object.values(doc.paths)) {
      for (const op of Object.values(path)) {
        const codes = Object.values(op.responses).flatMap((r) => r['x-error-codes'] ?? []);
        expect(codes.sort()).toEqual(Object.keys(ERROR_CODES).sort());
      }
    }
  });
});
