/**
 * The lab's provisioning server by itself (lab/provisioning): what it serves,
 * its one-time tokens (single use, ten-minute life on an injected clock) and
 * how it answers bad requests. Spoken to with Node's own https client.
 */
import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import {
  startProvisioningServer,
  TOKEN_LIFETIME_MS,
  type ProvisioningServer,
} from '../../../lab/provisioning/index.js';
import { parseProvisioningDocument } from '../../../wire/provisioning.js';
import { fixtureCertificate } from '../../support/https-fixture.js';
import { cleanupAfterEach } from '../../support/cleanup.js';

const later = cleanupAfterEach();
const USERS = [{ user: 'kw1', password: 'kw1-secret', displayName: 'Knowledge Worker 1' }];

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: unknown;
}

async function start(extra: { now?: () => number; oneTimeTokens?: boolean } = {}) {
  const log = memoryLogger('debug');
  const server = await startProvisioningServer({
    users: USERS,
    servers: ['wss://127.0.0.1:5061'],
    domain: 'lab.local',
    trustedRoutingPoints: ['sip:billing-experts@lab.local'],
    tls: await fixtureCertificate(),
    logger: log.logger,
    ...extra,
  });
  later(() => server.close());
  return { server, records: log.records };
}

function call(
  server: ProvisioningServer,
  method: string,
  path: string,
  body?: string | Buffer,
  type = 'application/json',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method, ca: server.caPem, headers: body === undefined ? {} : { 'content-type': type } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'] ?? '',
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const exchange = (server: ProvisioningServer, token: string) =>
  call(server, 'POST', '/provision/exchange', JSON.stringify({ token }));

async function tokenFor(server: ProvisioningServer, user = 'kw1'): Promise<string> {
  const answer = await call(
    server,
    'GET',
    new URL(server.documentUrl(user, { token: true })).pathname + '?token=1',
  );
  const parsed = parseProvisioningDocument(answer.body);
  if (!parsed.ok || !parsed.document.signIn) throw new Error(`no token in ${JSON.stringify(answer.body)}`);
  return parsed.document.signIn.token;
}

describe('the lab provisioning server', () => {
  it('serves a valid document per lab user, as JSON, and logs the request', async () => {
    const { server, records } = await start();
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.documentUrl('kw1')).toBe(`${server.url}/provision/kw1.json`);
    const answer = await call(server, 'GET', '/provision/kw1.json');
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    expect(parseProvisioningDocument(answer.body)).toEqual({
      ok: true,
      document: {
        kwDeskProvisioning: 1,
        servers: ['wss://127.0.0.1:5061'],
        domain: 'lab.local',
        account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Knowledge Worker 1' },
        trustedRoutingPoints: ['sip:billing-experts@lab.local'],
        presence: { idleMinutes: 10 },
        ring: { sounds: true },
      },
    });
    expect(records.some((r) => r.level === 'info' && r.msg.includes(server.url))).toBe(true);
    expect(records.some((r) => r.level === 'debug' && r.fields.path === '/provision/kw1.json')).toBe(true);
  });

  it('a token is exchanged for the password once; the second time is 410', async () => {
    const { server, records } = await start();
    const token = await tokenFor(server);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await exchange(server, token)).toMatchObject({ status: 200, body: { password: 'kw1-secret' } });
    expect(await exchange(server, token)).toMatchObject({
      status: 410,
      body: { error: 'the token is used' },
    });
    // Neither the token nor the password reaches the log.
    const logged = JSON.stringify(records);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain('kw1-secret');
  });

  it('each document gets its own token; with oneTimeTokens every document carries one', async () => {
    const { server } = await start({ oneTimeTokens: true });
    const a = await call(server, 'GET', '/provision/kw1.json');
    const b = await call(server, 'GET', '/provision/kw1.json');
    const tokenOf = (x: Answer) => (x.body as { signIn?: { token?: string } }).signIn?.token;
    expect(tokenOf(a)).toBeDefined();
    expect(tokenOf(a)).not.toBe(tokenOf(b));
  });

  it('a token expires after ten minutes', async () => {
    let now = Date.parse('2026-12-01T09:00:00Z');
    const { server } = await start({ now: () => now });
    const early = await tokenFor(server);
    const late = await tokenFor(server);
    now += TOKEN_LIFETIME_MS - 1;
    expect((await exchange(server, early)).status).toBe(200);
    now += 1;
    expect(await exchange(server, late)).toMatchObject({
      status: 410,
      body: { error: 'the token is expired' },
    });
  });

  it('answers an unknown user, an unknown token, a bad body and a wrong method precisely', async () => {
    const { server } = await start();
    expect((await call(server, 'GET', '/provision/nobody.json')).status).toBe(404);
    expect((await call(server, 'GET', '/elsewhere')).status).toBe(404);
    expect((await exchange(server, 'x'.repeat(43))).status).toBe(410);
    expect(await call(server, 'POST', '/provision/exchange', '{not json')).toMatchObject({
      status: 400,
      body: { error: 'not JSON' },
    });
    expect(await call(server, 'POST', '/provision/exchange', '{"token":"short"}')).toMatchObject({
      status: 400,
      body: { error: 'token: a sign-in token has at least 16 characters' },
    });
    expect((await call(server, 'POST', '/provision/exchange', Buffer.alloc(5000, 0x20))).status).toBe(413);
    expect((await call(server, 'GET', '/provision/exchange')).status).toBe(405);
    expect((await call(server, 'POST', '/provision/kw1.json', '{}')).status).toBe(405);
  });

  it('refuses to start with a site its documents would break', async () => {
    await expect(
      startProvisioningServer({
        users: USERS,
        servers: ['http://127.0.0.1:5080'],
        domain: 'lab.local',
        trustedRoutingPoints: [],
        logger: memoryLogger('warn').logger,
      }),
    ).rejects.toThrow(
      "the lab's document for kw1 is not valid: servers.0: a server is a ws:// or wss:// URL",
    );
  });
});
