/**
 * The local tools (simulator, clock) stay on this machine: only loopback peers are served, a Host
 * header naming another site is refused (DNS rebinding), listening beyond loopback or pairing them
 * with real credentials is warned about loudly, and local mode's clock answers right after start.
 */
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost } from '../../src/http/local-only.ts';
import { spawnAkari } from '../support/akari-process.ts';
import { startHarness, tempDatabaseUrl, waitFor, type Harness } from '../support/harness.ts';

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const outside = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

describe('local tools stay local', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('knows loopback addresses and hosts', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', undefined]) expect(isLoopbackAddress(a)).toBe(false);
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST', '127.0.0.1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost.evil.example:80', '[fd00::2]:3000', undefined]) expect(isLoopbackHost(host)).toBe(false);
  });

  it('refuses a Host header that names another site (DNS rebinding) on /local and the simulator', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true' } });
    expect((await request(h.akari.url).get('/local/clock')).status).toBe(200);
    expect((await request(h.akari.url).get('/local/clock').set('Host', 'localhost:3000')).status).toBe(200);
    const rebound = await request(h.akari.url).get('/local/clock').set('Host', 'attacker.example:3000');
    expect(rebound.status).toBe(403);
    expect((await request(h.akari.url).post('/local/clock').set('Host', 'attacker.example').send({ advanceMinutes: 60 })).status).toBe(403);
    // The webhook and health routes are not local tools: a real Host is fine there.
    expect((await request(h.akari.url).get('/healthz').set('Host', 'akari.example.com')).status).toBe(200);
    expect(h.logs.records().some((r) => r.level === 40 && String(r.msg).includes('DNS rebinding'))).toBe(true);
  });

  it.skipIf(!outside)('listening on 0.0.0.0 with local tools: warned loudly, and /local answers nobody but this machine', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true', HOST: '0.0.0.0' } });
    const warnings = h.logs.records().filter((r) => r.level === 40 && String(r.msg).startsWith('LOCAL TOOLS ARE ON'));
    expect(warnings.map((w) => String(w.msg).slice(0, 60))).toHaveLength(2); // beyond loopback, and with real credentials
    const port = new URL(h.akari.url).port;
    const fromOutside = await request(`http://${outside}:${port}`).get('/local/clock').set('Host', `127.0.0.1:${port}`);
    expect(fromOutside.status).toBe(404);
    expect((await request(`http://${outside}:${port}`).get('/healthz')).status).toBe(200);
    expect((await request(`http://127.0.0.1:${port}`).get('/local/clock')).status).toBe(200);
  });

  it('local mode: POST /local/clock right after /healthz answers works (no start-up race)', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = spawnAkari({ NODE_ENV: 'development', PORT: String(port), DATABASE_URL: tempDatabaseUrl() });
    try {
      // As a script would: poll /healthz, and move the clock the moment it answers.
      await waitFor(() => fetch(`${url}/healthz`).then((r) => r.ok, () => false), '/healthz');
      const res = await fetch(`${url}/local/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMinutes: 1 }) });
      expect(res.status).toBe(200);
      // The simulator page itself checks the Host header too (fetch may not set Host: node:http may).
      const page = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { host } }, (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      expect(await page(`127.0.0.1:${port}`)).toBe(200);
      expect(await page('attacker.example')).toBe(403);
      await proc.stop();
    } finally {
      await proc.kill();
    }
  }, 60_000);
});
