/** Writes openapi.yaml at the repository root (`npm run openapi -w backend`). */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { buildOpenApiYaml } from './document.js';

const target = new URL('../../../openapi.yaml', import.meta.url);
writeFileSync(target, await buildOpenApiYaml());
console.warn(`wrote ${target.pathname}`);
