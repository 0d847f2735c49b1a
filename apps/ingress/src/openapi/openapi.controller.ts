import { Controller, Get } from '@nestjs/common';
import { ingressOpenApi } from './openapi.document';

/** GET /docs: the OpenAPI 3.1 document (public: it holds no secrets and clients generate from it). */
@Controller()
export class OpenApiController {
  private readonly document = ingressOpenApi();

  @Get('docs')
  docs(): Record<string, unknown> {
    return this.document;
  }
}
