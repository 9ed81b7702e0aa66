/** SIP URI helpers that the core needs without a JsSIP UA at hand. */
export interface SipAddress {
  readonly scheme: 'sip' | 'sips';
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number | undefined;
}

const SIP_URI = /^(sips?):(?:([^@;?]+)@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:[;?].*)?$/;

export function parseSipUri(text: string): SipAddress | undefined {
  const trimmed = text.trim().replace(/^.*<(.+)>.*$/, '$1');
  const m = SIP_URI.exec(trimmed);
  const host = m?.[3];
  if (!m || host === undefined) return undefined;
  const port = m[4] === undefined ? undefined : Number(m[4]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { scheme: m[1] as 'sip' | 'sips', user: m[2], host: host.toLowerCase(), port };
}

/** The address-of-record form `sip:user@host` (no port, no parameters): the key for a person. */
export function toAor(text: string): string | undefined {
  const a = parseSipUri(text);
  if (!a || a.user === undefined) return undefined;
  return `${a.scheme}:${a.user}@${a.host}`;
}
