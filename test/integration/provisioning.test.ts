/**
 * Provisioning end to end (issue 13): the KW's fetcher and token exchange
 * (main/core/provisioning) against the real lab provisioning server over
 * https on loopback, trusting it only through the CA it is given; and against
 * a tiny https fixture for what the lab never serves (bad JSON, bad UTF-8,
 * endless bodies, redirects).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fetchProvisioningDocument, type FetchResult } from '../../main/core/provisioning/fetch-document.js';
import { exchangeSignInToken } from '../../main/core/provisioning/token-exchange.js';
import type { ProvisioningFailure } from '../../main/core/provisioning/failure.js';
import { memoryLogger } from '../../main/core/log.js';
import {
  labDocument,
  startProvisioningServer,
  type LabSite,
  type ProvisioningServer,
} from '../../lab/provisioning/index.js';
import type { ProvisioningDocument } from '../../wire/provisioning.js';
import {
  fixtureCertificate,
  startHttpsFixture,
  streamSlowly,
  type FixtureHandler,
} from '../support/https-fixture.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { cleanupAfterEach } from '../support/cleanup.js';

const later = cleanupAfterEach();
const KW1 = { user: 'kw1', password: 'kw1-secret', displayName: 'Knowledge Worker 1' };
const USERS = [KW1, { user: 'kw2', password: 'kw2-secret' }];
const SITE: LabSite = {
  servers: ['ws://127.0.0.1:5080'],
  domain: 'lab.local',
  trustedRoutingPoints: ['sip:billing-experts@lab.local'],
};

async function labServer(): Promise<ProvisioningServer> {
  const server = await startProvisioningServer({
    ...SITE,
    users: USERS,
    tls: await fixtureCertificate(),
    logger: memoryLogger('warn').logger,
  });
  later(() => server.close());
  return server;
}

async function fixture(handler: FixtureHandler) {
  const server = await startHttpsFixture(handler);
  later(() => server.close());
  return server;
}

function failed(result: FetchResult | { ok: boolean }): ProvisioningFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result as ProvisioningFailure;
}

function document(result: FetchResult): ProvisioningDocument {
  if (!result.ok) throw new Error(`expected a document, got ${result.kind}: ${result.detail}`);
  return result.document;
}

const json =
  (body: unknown): FixtureHandler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

describe('fetchProvisioningDocument against the lab provisioning server', () => {
  it('fetches and validates the document, equal to what the server built', async () => {
    const server = await labServer();
    const result = await fetchProvisioningDocument(server.documentUrl('kw1'), { ca: [server.caPem] });
    expect(document(result)).toEqual(labDocument(SITE, KW1));
    expect(document(result)).toMatchObject({
      account: { uri: 'sip:kw1@lab.local', displayName: 'Knowledge Worker 1' },
    });
    expect(document(result).signIn).toBeUndefined();
  });

  it('refuses a server whose CA it was not given', async () => {
    const server = await labServer();
    const failure = failed(await fetchProvisioningDocument(server.documentUrl('kw1')));
    expect(failure.kind).toBe('certificate');
    expect(failure.sentence).toBe(
      "The setup link's server (127.0.0.1) has a certificate that is not trusted, so KW Desktop did not use it. Ask your administrator.",
    );
    expect(failure.detail).toMatch(/self.signed|certificate/i);
  });

  it('refuses a certificate made out to another name, even from a trusted CA', async () => {
    const server = await labServer();
    const proxy = await startConnectProxy({ 'prov.wrong-name.test': '127.0.0.1' });
    later(() => proxy.close());
    const url = server.documentUrl('kw1').replace('127.0.0.1', 'prov.wrong-name.test');
    const failure = failed(
      await fetchProvisioningDocument(url, {
        ca: [server.caPem],
        resolveProxy: () => Promise.resolve(`PROXY 127.0.0.1:${proxy.port}`),
      }),
    );
    expect(failure.kind).toBe('certificate');
    expect(failure.detail).toMatch(/does not match certificate/);
    expect(failure.sentence).toContain('(prov.wrong-name.test)');
  });

  it('goes through the HTTP CONNECT proxy the resolver names', async () => {
    const server = await labServer();
    const proxy = await startConnectProxy();
    later(() => proxy.close());
    const result = await fetchProvisioningDocument(server.documentUrl('kw2'), {
      ca: [server.caPem],
      resolveProxy: () => Promise.resolve(`PROXY 127.0.0.1:${proxy.port}; DIRECT`),
    });
    expect(document(result).account).toEqual({ uri: 'sip:kw2@lab.local', authUser: '', displayName: '' });
    expect(proxy.tunnels).toBe(1);
    expect(proxy.requests).toEqual([new URL(server.url).host]);
  });

  it('an unknown user is an http failure, without the status line in the sentence', async () => {
    const server = await labServer();
    const failure = failed(
      await fetchProvisioningDocument(server.documentUrl('nobody'), { ca: [server.caPem] }),
    );
    expect(failure).toMatchObject({ kind: 'http', detail: expect.stringContaining('HTTP 404') as string });
    expect(failure.sentence).toBe(
      "The setup link's server (127.0.0.1) did not give the setup document. Ask your administrator.",
    );
  });

  it('a server that is not there is unreachable', async () => {
    const port = await closedPort();
    const failure = failed(await fetchProvisioningDocument(`https://127.0.0.1:${port}/provision/kw1.json`));
    expect(failure.kind).toBe('unreachable');
    expect(failure.detail).toMatch(/ECONNREFUSED/);
    expect(failure.sentence).toBe("The setup link's server (127.0.0.1) could not be reached.");
  });

  it('only follows https links', async () => {
    for (const url of ['http://127.0.0.1:1/provision/kw1.json', 'file:///etc/passwd', 'not a url']) {
      expect(failed(await fetchProvisioningDocument(url)).kind).toBe('invalid-link');
    }
  });
});

describe('fetchProvisioningDocument refuses what a server should not send', () => {
  it('a document that breaks the schema, naming the path', async () => {
    const server = await fixture(
      json({ kwDeskProvisioning: 1, servers: ['wss://a.example.com', 'https://b'], domain: 'example.com' }),
    );
    const failure = failed(await fetchProvisioningDocument(`${server.url}/doc.json`, { ca: [server.caPem] }));
    expect(failure.kind).toBe('schema');
    expect(failure.sentence).toBe(
      'The setup document from 127.0.0.1 is not valid: servers.1: a server is a ws:// or wss:// URL.',
    );
  });

  it('a body that grows past the limit: aborted as soon as it does', async () => {
    let written: Promise<number> = Promise.resolve(0);
    const server = await fixture((_req, res) => {
      written = streamSlowly(res, 1024 * 1024);
    });
    const failure = failed(await fetchProvisioningDocument(`${server.url}/doc.json`, { ca: [server.caPem] }));
    expect(failure.kind).toBe('too-large');
    expect(failure.sentence).toBe('The setup document from 127.0.0.1 is larger than 64 KB.');
    const bytes = await written;
    expect(bytes).toBeGreaterThan(64 * 1024);
    expect(bytes).toBeLessThan(256 * 1024);
  });

  it('a Content-Length over the limit: refused before reading', async () => {
    const server = await fixture((_req, res) => {
      res.writeHead(200, { 'content-length': String(1024 * 1024) });
      res.write('{');
    });
    const failure = failed(await fetchProvisioningDocument(`${server.url}/doc.json`, { ca: [server.caPem] }));
    expect(failure).toMatchObject({
      kind: 'too-large',
      detail: expect.stringContaining('Content-Length 1048576') as string,
    });
  });

  it('a body that is not JSON, or not UTF-8', async () => {
    const notJson = await fixture((_req, res) => res.writeHead(200).end('<html>hello</html>'));
    const notUtf8 = await fixture((_req, res) =>
      res.writeHead(200).end(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])),
    );
    const a = failed(await fetchProvisioningDocument(`${notJson.url}/doc.json`, { ca: [notJson.caPem] }));
    const b = failed(await fetchProvisioningDocument(`${notUtf8.url}/doc.json`, { ca: [notUtf8.caPem] }));
    expect(a).toMatchObject({
      kind: 'not-json',
      sentence: 'The setup document from 127.0.0.1 is not valid JSON.',
    });
    expect(b).toMatchObject({ kind: 'not-json', detail: 'the body is not valid UTF-8' });
  });

  it('follows up to three https redirects, refuses a fourth and any to http', async () => {
    const lab = await labServer();
    const hops =
      (n: number, last: string): FixtureHandler =>
      (req, res) => {
        const left = Number(new URL(req.url ?? '/', 'https://x').searchParams.get('n'));
        res.writeHead(302, { location: left > 1 ? `/r?n=${left - 1}` : last }).end();
      };
    const three = await fixture(hops(3, lab.documentUrl('kw1')));
    const ca = [lab.caPem];
    expect(document(await fetchProvisioningDocument(`${three.url}/r?n=3`, { ca })).domain).toBe('lab.local');
    const four = failed(await fetchProvisioningDocument(`${three.url}/r?n=4`, { ca }));
    expect(four).toMatchObject({ kind: 'http', detail: expect.stringContaining('at most 3') as string });
    const toHttp = await fixture(hops(1, 'http://127.0.0.1:1/provision/kw1.json'));
    const refused = failed(await fetchProvisioningDocument(`${toHttp.url}/r?n=1`, { ca }));
    expect(refused).toMatchObject({ kind: 'http', detail: expect.stringContaining('non-https') as string });
  });

  it('a server that never answers: timeout', async () => {
    const server = await fixture(() => undefined);
    const started = Date.now();
    const failure = failed(
      await fetchProvisioningDocument(`${server.url}/doc.json`, { ca: [server.caPem], timeoutMs: 300 }),
    );
    expect(failure.kind).toBe('timeout');
    expect(failure.sentence).toBe("The setup link's server (127.0.0.1) did not answer in time.");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('exchangeSignInToken', () => {
  it('trades the one-time token for the password once; the second time it is refused', async () => {
    const server = await labServer();
    const url = server.documentUrl('kw1', { token: true });
    const signIn = document(await fetchProvisioningDocument(url, { ca: [server.caPem] })).signIn;
    expect(signIn?.exchangeUrl).toBe(`${server.url}/provision/exchange`);
    if (!signIn) throw new Error('no signIn in the document');
    expect(await exchangeSignInToken(url, signIn, { ca: [server.caPem] })).toEqual({
      ok: true,
      password: 'kw1-secret',
    });
    const again = failed(await exchangeSignInToken(url, signIn, { ca: [server.caPem] }));
    expect(again.kind).toBe('token-refused');
    expect(again.sentence).toBe(
      'The one-time sign-in code was already used or has expired. Ask your administrator for a new setup link.',
    );
  });

  it('refuses an exchange URL on another origin, without sending the token', async () => {
    const server = await labServer();
    let asked = 0;
    const other = await fixture((_req, res) => {
      asked += 1;
      res.writeHead(200).end('{"password":"stolen"}');
    });
    const url = server.documentUrl('kw1', { token: true });
    const signIn = document(await fetchProvisioningDocument(url, { ca: [server.caPem] })).signIn;
    if (!signIn) throw new Error('no signIn in the document');
    const failure = failed(
      await exchangeSignInToken(
        url,
        { ...signIn, exchangeUrl: `${other.url}/provision/exchange` },
        { ca: [server.caPem] },
      ),
    );
    expect(failure.kind).toBe('invalid-link');
    expect(asked).toBe(0);
    // The token was not spent: the right origin still takes it.
    expect(await exchangeSignInToken(url, signIn, { ca: [server.caPem] })).toMatchObject({ ok: true });
  });
});

/** A port that was just free: listen, note it, close. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
