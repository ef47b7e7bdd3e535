import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiYaml } from './document.js';

describe('openapi.yaml', () => {
  it('matches the controllers (regenerate with `npm run openapi -w backend`)', async () => {
    const generated = await buildOpenApiYaml();
    const committed = readFileSync(join(process.cwd(), '..', 'openapi.yaml'), 'utf8');
    expect(committed).toBe(generated);
    expect(generated).toContain('/api/workflows/{id}/rollback/{version}:');
  });
});
