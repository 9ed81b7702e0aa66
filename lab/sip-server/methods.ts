/** The SIP methods the server knows (others are answered 501) and the Allow header listing them. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'REGISTER',
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'OPTIONS',
  'MESSAGE',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'REFER',
  'INFO',
  'UPDATE',
  'PRACK',
]);

export const ALLOW = [...KNOWN_METHODS].join(', ');
