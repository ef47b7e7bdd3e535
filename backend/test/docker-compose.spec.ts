/**
 * docker-compose.yml cannot be started here (no Docker engine): this reads it as Compose would and
 * checks what a user relies on — services, pinned images, ports, healthchecks, start order,
 * required secrets, the observability profile, and files it points to.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { WORKER_NODE_ARGS } from '../../scripts/lib/platform.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  networks?: Record<string, { ipv4_address?: string } | null>;
}
interface Compose {
  version?: string;
  services: Record<string, Service>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string; ip_range?: string }[] } }>;
  volumes?: Record<string, unknown>;
}

// Compose honours YAML merge keys (`<<: *backend-env`); js-yaml 5 needs them enabled.
const compose = load(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Compose;
const services = compose.services;

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToInt(base) / size) * size;
  return ipv4ToInt(ip) >= start && ipv4ToInt(ip) < start + size;
}

describe('docker-compose.yml', () => {
  it('uses the Compose specification (no version key) and declares every service', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'elasticsearch', 'frontend', 'kibana', 'kong', 'logstash', 'mock-apis', 'postgres', 'redis', 'worker'].sort(),
    );
  });

  it('pins images: postgres:16, redis:7, kong:3.9 and Elastic 8.x', () => {
    expect(services.postgres.image).toBe('postgres:16');
    expect(services.redis.image).toBe('redis:7');
    expect(services.kong.image).toBe('kong:3.9');
    for (const name of ['elasticsearch', 'logstash', 'kibana']) {
      expect(services[name].image).toMatch(new RegExp(`^docker\\.elastic\\.co/${name}/${name}:8\\.\\d+\\.\\d+$`));
    }
  });

  it('publishes api 8080, dashboard 3000, mock APIs 4010, Kong proxy 8000, and the Kong admin API 8001 on loopback only', () => {
    expect(services.api.ports).toContain('8080:8080');
    expect(services.frontend.ports).toContain('3000:3000');
    expect(services['mock-apis'].ports).toContain('4010:4010');
    expect(services.kong.ports).toContain('8000:8000');
    expect(services.kong.ports).toContain('127.0.0.1:8001:8001');
    expect(services.kong.environment?.KONG_ADMIN_LISTEN).toBe('0.0.0.0:8001');
    // Databases stay on the compose network.
    expect(services.postgres.ports).toBeUndefined();
    expect(services.redis.ports).toBeUndefined();
  });

  it('gives postgres, redis, api, frontend and kong healthchecks that probe the service', () => {
    expect(services.postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(services.redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(services.api.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8080/health');
    expect(services.frontend.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/');
    expect(services.kong.healthcheck?.test).toEqual(['CMD', 'kong', 'health']);
  });

  it('gives the worker its metrics port on the compose network only, and a healthcheck on it', () => {
    const port = services.worker.environment?.WORKER_METRICS_PORT;
    expect(port).toBe('9464');
    expect(services.worker.expose).toEqual([port]);
    expect(services.worker.ports).toBeUndefined();
    expect(services.worker.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/health`);
  });

  it('starts api and worker only once their dependencies are healthy (worker after the api has migrated)', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    expect(services.worker.depends_on?.api).toEqual({ condition: 'service_healthy' });
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(`${name} → ${dependency}: ${condition}`).toBe(`${name} → ${dependency}: service_healthy`);
        expect(services[dependency].healthcheck).toBeDefined();
      }
    }
  });

  it('runs api and worker from one image with the same DATABASE_URL and REDIS_URL, in production mode', () => {
    const api = services.api.environment!;
    const worker = services.worker.environment!;
    expect(services.api.build?.dockerfile).toBe('backend/Dockerfile');
    expect(services.worker.image).toBe(services.api.image);
    // The worker's node flags are the ones make dev, the benchmarks and `npm run worker` use.
    expect(WORKER_NODE_ARGS.length).toBeGreaterThan(0);
    expect(services.worker.command).toEqual(['node', ...WORKER_NODE_ARGS, 'dist/worker.js']);
    const backendPkg = JSON.parse(readFileSync(`${ROOT}backend/package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(backendPkg.scripts.worker).toBe(['node', ...WORKER_NODE_ARGS, 'dist/worker.js'].join(' '));
    expect(worker.DATABASE_URL).toBe(api.DATABASE_URL);
    expect(worker.REDIS_URL).toBe(api.REDIS_URL);
    expect(api.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\/tributary$/);
    expect(api.REDIS_URL).toBe('redis://redis:6379');
    expect(api.NODE_ENV).toBe('production');
    expect(api.PORT).toBe('8080');
    expect(worker.WORKER_CONCURRENCY).toBeDefined();
    expect(api.CORS_ORIGINS).toContain('http://localhost:3000');
    expect(api.KONG_ADMIN_URL).toBe('http://kong:8001');
    // Generated routes point Kong at the api service on the compose network, on the port it listens on.
    expect(api.KONG_API_UPSTREAM_URL).toBe(`http://api:${api.PORT}`);
  });

  it('requires JWT_SECRET and ENCRYPTION_KEY from the environment (${VAR:?message}), with no default', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name].environment!;
      expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.+\}$/);
      expect(env.ENCRYPTION_KEY).toMatch(/^\$\{ENCRYPTION_KEY:\?.+\}$/);
    }
    expect(services.api.environment?.DEV_MODE).toBeUndefined();
  });

  it("trusts Kong's consumer headers only from the address range that holds the kong service", () => {
    const trusted = services.api.environment!.TRUSTED_PROXIES.split(',').map((s) => s.trim());
    const kongIp = services.kong.networks?.default?.ipv4_address;
    expect(kongIp).toBeDefined();
    expect(trusted.some((cidr) => inCidr(kongIp!, cidr))).toBe(true);
    const ipam = compose.networks?.default?.ipam?.config?.[0];
    expect(inCidr(kongIp!, ipam!.subnet!)).toBe(true);
    // Other containers are given addresses from ip_range: none of them may land in the trusted range.
    const [rangeBase, rangeBits] = ipam!.ip_range!.split('/');
    const last = ipv4ToInt(rangeBase) + 2 ** (32 - Number(rangeBits)) - 1;
    const lastIp = [24, 16, 8, 0].map((shift) => (last >>> shift) & 255).join('.');
    for (const cidr of trusted) {
      expect(inCidr(rangeBase, cidr) || inCidr(lastIp, cidr)).toBe(false);
    }
  });

  it('runs Kong DB-less on the checked-in gateway/kong.yml, mounted from ./gateway', () => {
    const env = services.kong.environment!;
    expect(env.KONG_DATABASE).toBe('off');
    const mount = (services.kong.volumes ?? []).find((v) => v.startsWith('./gateway:'));
    expect(mount).toBeDefined();
    const [, target] = mount!.split(':');
    expect(env.KONG_DECLARATIVE_CONFIG.startsWith(`${target}/`)).toBe(true);
    const inRepo = `${ROOT}gateway/${env.KONG_DECLARATIVE_CONFIG.slice(target.length + 1)}`;
    expect(existsSync(inRepo)).toBe(true);
  });

  it('builds the dashboard from frontend/Dockerfile with NEXT_PUBLIC_API_URL and runs the mock APIs in the demo profile', () => {
    expect(services.frontend.build?.dockerfile).toBe('frontend/Dockerfile');
    expect(services.frontend.build?.args?.NEXT_PUBLIC_API_URL).toBeDefined();
    expect(services.frontend.environment?.NEXT_PUBLIC_API_URL).toBeDefined();
    expect(services['mock-apis'].profiles).toEqual(['demo']);
    expect(services['mock-apis'].command).toEqual(['node', 'scripts/mock-apis/server.js']);
    expect(services['mock-apis'].environment).toMatchObject({ MOCK_APIS_PORT: '4010', MOCK_APIS_HOST: '0.0.0.0' });
    expect(existsSync(`${ROOT}scripts/mock-apis/server.js`)).toBe(true);
  });

  it('puts Elasticsearch (single node), Logstash (pipeline from ./gateway/logstash/pipeline) and Kibana in the observability profile', () => {
    for (const name of ['elasticsearch', 'logstash', 'kibana']) expect(services[name].profiles).toEqual(['observability']);
    for (const name of ['postgres', 'redis', 'api', 'worker', 'frontend', 'kong']) expect(services[name].profiles).toBeUndefined();
    expect(services.elasticsearch.environment?.['discovery.type']).toBe('single-node');
    const pipeline = (services.logstash.volumes ?? []).find((v) => v.includes('/usr/share/logstash/pipeline'));
    expect(pipeline?.split(':')[0]).toBe('./gateway/logstash/pipeline');
    expect(existsSync(`${ROOT}gateway/logstash/pipeline`)).toBe(true);
  });

  it('names Dockerfiles that exist, built from the repository root (one npm workspace lockfile)', () => {
    const built = Object.entries(services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(['api', 'frontend', 'worker']);
    for (const [, service] of built) {
      expect(service.build?.context).toBe('.');
      expect(existsSync(`${ROOT}${service.build!.dockerfile}`)).toBe(true);
    }
  });

  it('declares every named volume it mounts', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes ?? {})).toContain(source);
        else expect(existsSync(`${ROOT}${source.replace(/^\.\//, '')}`)).toBe(true);
      }
    }
  });
});

describe('Dockerfiles', () => {
  const backend = readFileSync(`${ROOT}backend/Dockerfile`, 'utf8');
  const frontend = readFileSync(`${ROOT}frontend/Dockerfile`, 'utf8');

  it('backend: multi-stage, npm ci for the backend workspace, tsc build, non-root node user, dist/main.js', () => {
    expect(backend.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(backend).toMatch(/npm ci -w backend/);
    expect(backend).toMatch(/npm ci -w backend --omit=dev/);
    expect(backend).toMatch(/npm run build -w backend/);
    expect(backend).toMatch(/^USER node$/m);
    expect(backend).toMatch(/CMD \["node", "dist\/main\.js"\]/);
    // The api reads the gateway schema and base config at run time.
    expect(backend).toMatch(/COPY .*gateway\/schema gateway\/schema/);
  });

  it('frontend: multi-stage Next.js standalone build served by frontend/server.js as the node user', () => {
    expect(frontend.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(frontend).toMatch(/npm ci -w frontend/);
    expect(frontend).toMatch(/npm run build -w frontend/);
    expect(frontend).toMatch(/\.next\/standalone/);
    expect(frontend).toMatch(/^USER node$/m);
    expect(frontend).toMatch(/CMD \["node", "frontend\/server\.js"\]/);
  });

  it('.dockerignore keeps node_modules, build output and secrets out of the build context', () => {
    const ignore = readFileSync(`${ROOT}.dockerignore`, 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '**/.next', '.env', '.git']));
  });
});
