import { describe, expect, it } from 'vitest';
import { parseProxyRoute, resolveRoute } from '../../../main/core/sip/proxy-route.js';
import { serverAddress } from '../../../main/core/sip/proxy-tunnel.js';
import {
  connectionFailure,
  CertificateError,
  isCertificateError,
} from '../../../main/core/sip/tls-failure.js';
import { outcomeSentence } from '../../../main/core/sip/outcome-text.js';

describe('proxy route from a PAC answer', () => {
  it('takes the first usable entry, as a browser does', () => {
    expect(parseProxyRoute('PROXY proxy.corp:8080; DIRECT')).toEqual({
      kind: 'proxy',
      host: 'proxy.corp',
      port: 8080,
    });
    expect(parseProxyRoute('DIRECT')).toEqual({ kind: 'direct' });
    expect(parseProxyRoute('  direct ; PROXY p:1')).toEqual({ kind: 'direct' });
    expect(parseProxyRoute('')).toEqual({ kind: 'direct' });
  });

  it('skips proxy kinds it cannot tunnel through and malformed addresses', () => {
    expect(parseProxyRoute('SOCKS5 s:1080; HTTPS h:443; PROXY p:99999; PROXY [::1]:3128')).toEqual({
      kind: 'proxy',
      host: '::1',
      port: 3128,
    });
    expect(parseProxyRoute('HTTPS h:443; DIRECT')).toEqual({ kind: 'direct' });
  });

  it('refuses an answer with nothing usable instead of silently going direct', () => {
    expect(() => parseProxyRoute('SOCKS5 s:1080; PROXY nohost')).toThrow(/no usable proxy/);
  });

  it('goes direct without a resolver and asks the resolver with the server URL', async () => {
    expect(await resolveRoute(undefined, 'wss://h')).toEqual({ kind: 'direct' });
    const asked: string[] = [];
    const route = await resolveRoute((url) => {
      asked.push(url);
      return Promise.resolve('PROXY 10.0.0.1:3128');
    }, 'wss://sip.example.com');
    expect(asked).toEqual(['wss://sip.example.com']);
    expect(route).toEqual({ kind: 'proxy', host: '10.0.0.1', port: 3128 });
  });
});

describe('server address for the CONNECT line', () => {
  it('uses the URL port or the ws/wss default, without IPv6 brackets', () => {
    expect(serverAddress('wss://sip.example.com/ws')).toEqual({
      host: 'sip.example.com',
      port: 443,
      secure: true,
    });
    expect(serverAddress('ws://[::1]:5080')).toEqual({ host: '::1', port: 5080, secure: false });
  });
});

describe('certificate failures', () => {
  it('are told apart from other connection failures by their code', () => {
    const untrusted = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    const wrongName = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isCertificateError(untrusted)).toBe(true);
    expect(isCertificateError(wrongName)).toBe(true);
    expect(isCertificateError(refused)).toBe(false);
    expect(connectionFailure(untrusted)).toBeInstanceOf(CertificateError);
    expect(connectionFailure(refused)).not.toBeInstanceOf(CertificateError);
    expect(connectionFailure(refused).message).toBe('connect ECONNREFUSED');
  });

  it('read as a sentence about the certificate, with no technical text', () => {
    const sentence = outcomeSentence({ kind: 'connection', problem: 'certificate' });
    expect(sentence).toBe(
      "The SIP server's certificate is not trusted, so KW Desktop did not connect. Ask your administrator.",
    );
  });
});
