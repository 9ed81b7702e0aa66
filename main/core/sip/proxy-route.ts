/**
 * How to reach a SIP server, from the host's proxy answer: a PAC-style list
 * ("PROXY proxy.corp:8080; DIRECT") as Chromium's `resolveProxy` and PAC
 * scripts give it. The first entry we can use wins, like a browser does.
 */

/** Answers a PAC-style string for a URL; the host's proxy settings (Chromium's session in the app). */
export type ProxyResolver = (url: string) => Promise<string>;

export type ProxyRoute =
  { readonly kind: 'direct' } | { readonly kind: 'proxy'; readonly host: string; readonly port: number };

const DIRECT: ProxyRoute = { kind: 'direct' };

/**
 * The first usable entry: DIRECT or an HTTP proxy (PROXY). HTTPS, SOCKS and
 * QUIC proxies are skipped (no tunnel for them yet); an answer with nothing
 * usable is an error, not a silent DIRECT, since a firewall would then block us
 * with a confusing reason.
 */
export function parseProxyRoute(pac: string): ProxyRoute {
  const entries = pac
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return DIRECT;
  for (const entry of entries) {
    const [type = '', address = ''] = entry.split(/\s+/, 2);
    if (type.toUpperCase() === 'DIRECT') return DIRECT;
    if (type.toUpperCase() === 'PROXY') {
      const proxy = parseHostPort(address);
      if (proxy) return { kind: 'proxy', ...proxy };
    }
  }
  throw new Error(`no usable proxy in "${pac}" (only PROXY host:port and DIRECT are supported)`);
}

function parseHostPort(address: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(address);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1] ?? '', port };
}

/** The route for `url`: DIRECT without a resolver. */
export async function resolveRoute(resolver: ProxyResolver | undefined, url: string): Promise<ProxyRoute> {
  if (!resolver) return DIRECT;
  return parseProxyRoute(await resolver(url));
}
