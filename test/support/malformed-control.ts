/**
 * Malformed control messages, for the bad-input tests: bad JSON, wrong types,
 * huge fields, expired previews, unknown versions and types, missing fields.
 * Deterministic: the same list every run.
 */
const ID = '11111111-1111-4111-8111-111111111111';

export function malformedControlBodies(now: number, count: number): string[] {
  const future = new Date(now + 60_000).toISOString();
  const good = {
    v: 1,
    type: 'preview',
    interactionId: ID,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent' },
    routingPoint: 'sip:billing@lab.local',
    subject: 'S',
    text: 'T',
    userData: {},
    expiresAt: future,
  };
  const variants: unknown[] = [
    { ...good, v: 2 },
    { ...good, v: '1' },
    { ...good, v: 0 },
    { ...good, type: 'launch-missiles' },
    { ...good, type: 7 },
    { ...good, interactionId: 'not-a-uuid' },
    { ...good, interactionId: 42 },
    { ...good, agent: null },
    { ...good, agent: { uri: 'http://x', displayName: 'A' } },
    { ...good, agent: { uri: 'sip:a@b' } },
    { ...good, routingPoint: '' },
    { ...good, subject: 5 },
    { ...good, text: 'x'.repeat(4001) },
    { ...good, text: ['array'] },
    { ...good, userData: { 'bad key': 'v' } },
    { ...good, userData: { k: 5 } },
    { ...good, userData: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
    { ...good, userData: { k: 'v'.repeat(1025) } },
    { ...good, expiresAt: 'tomorrow' },
    { ...good, expiresAt: new Date(now - 1000).toISOString() },
    { ...good, expiresAt: new Date(now - 86_400_000).toISOString() },
    { ...good, extra: 'field' },
    { v: 1, type: 'preview-cancel', interactionId: ID, reason: 'because' },
    { v: 1, type: 'preview-cancel', interactionId: ID },
    { v: 1, type: 'end' },
    { v: 1, type: 'routed', interactionId: ID, kw: {} },
    { v: 1, type: 'preview-answer', interactionId: ID, decision: 'maybe' },
    null,
    [],
    'string',
    12,
  ];
  const raw = [
    '',
    '{',
    '{"v":1,',
    'not json at all',
    '<xml/>',
    '\u0000\u0001',
    `{"v":1,"type":"preview","text":"${'x'.repeat(40_000)}"}`,
    '{"v":1,"type":"preview"}',
    '{"__proto__":{"v":1},"type":"preview"}',
    // Over the KW's 32 KiB limit, under the SIP servers' 64 KiB message limit: the KW must judge it.
    JSON.stringify({ ...good, subject: 'x'.repeat(50_000) }),
  ];
  const base = [...variants.map((v) => JSON.stringify(v)), ...raw];
  const out: string[] = [];
  for (let i = 0; out.length < count; i += 1) {
    const b = base[i % base.length] ?? '';
    // Repeat the list with small mutations so 200 messages are 200 different bodies.
    out.push(i < base.length ? b : mutate(b, i));
  }
  return out;
}

function mutate(body: string, seed: number): string {
  if (body.length === 0) return ' '.repeat(seed % 7);
  const at = (seed * 7919) % body.length;
  const swaps = ['"', '{', '}', ',', ':', '\\', ' ', '0'];
  return `${body.slice(0, at)}${swaps[seed % swaps.length] ?? ''}${body.slice(at + 1)}`;
}
