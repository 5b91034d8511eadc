import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/schema.ts';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const schemaKeys = Object.keys(envSchema.shape).sort();

describe('configuration documentation matches the code', () => {
  it('.env.example has every key, each with a one-line comment above it', () => {
    const lines = read('.env.example').split('\n');
    const keys = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^[A-Z_]+=/.test(l));
    expect(keys.map(({ l }) => l.split('=')[0]).sort()).toEqual(schemaKeys);
    for (const { l, i } of keys) expect(lines[i - 1], `comment above ${l}`).toMatch(/^# \S/);
  });

  it("the README's configuration table lists exactly the same keys", () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## HTTP routes'));
    const keys = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(keys).toEqual(schemaKeys);
  });

  it('docker-compose.yml is valid YAML, runs the compiled JS, keeps data on a volume and passes the same keys', () => {
    const compose = parseYaml(read('docker-compose.yml')) as {
      services: { akari: { command: string[]; environment: Record<string, string>; volumes: string[] } };
      volumes: Record<string, unknown>;
    };
    const akari = compose.services.akari;
    expect(akari.command).toEqual(['node', 'dist/main.js']);
    expect(Object.keys(akari.environment).sort()).toEqual(schemaKeys);
    expect(akari.volumes.some((v) => v.endsWith(':/app/data'))).toBe(true);
    expect(Object.keys(compose.volumes)).toContain('akari-data');
  });

  it('docker-compose.yml runs Akari on a PostgreSQL service that it waits for', () => {
    const compose = parseYaml(read('docker-compose.yml')) as {
      services: Record<string, { image?: string; environment: Record<string, string>; volumes: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }> }>;
      volumes: Record<string, unknown>;
    };
    const { akari, postgres } = compose.services;
    expect(postgres?.image).toMatch(/^postgres:\d+/);
    expect(postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(postgres?.volumes.some((v) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
    expect(Object.keys(compose.volumes)).toContain(postgres!.volumes[0]!.split(':')[0]);
    expect(akari!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    const url = new URL(akari!.environment.DATABASE_URL!.replace('${POSTGRES_PASSWORD:-akari}', 'akari'));
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgres');
    expect(url.pathname).toBe(`/${postgres!.environment.POSTGRES_DB}`);
    expect(url.username).toBe(postgres!.environment.POSTGRES_USER);
  });

  it('the Dockerfile is on Node 22 LTS and starts like the README says', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:22/m);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/main\.js"\]/);
    expect(read('README.md')).toContain('node dist/main.js');
  });

  it('.ci/run runs the README test command', () => {
    expect(read('.ci/run')).toMatch(/^npm test$/m);
    expect(read('README.md')).toContain('npm ci && npm test');
  });
});
