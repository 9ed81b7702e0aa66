/** The smallest SDP offer a SIP server relays: one PCMU audio line, nothing listens on it (signalling tests only). */
export const MINIMAL_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');
