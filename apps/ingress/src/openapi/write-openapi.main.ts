/** Writes the OpenAPI document to a file (run by `npm run build`); the path is the first argument. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ingressOpenApi } from './openapi.document';

const out = process.argv[2] ?? 'docs/openapi/ingress.openapi.json';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(ingressOpenApi(), null, 2)}\n`);
console.log(`wrote ${out}`);
