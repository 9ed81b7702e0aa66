/**
 * Masked customer data (issue 16, point 3) over real SIP: the lab server, the
 * lab router with `mask` rules, an agent bot, and a real KW core connected
 * through a relay that records every frame the KW receives. The KW gets
 * `•••• 1234`, and the full value appears nowhere in the SIP that reaches it.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { memoryLogger } from '../../main/core/log.js';
import { startRouter, type RunningRouter } from '../../router/index.js';
import { AgentBot } from '../../lab/agent-bot/index.js';
import { userDataHeaders, readUserData } from '../../wire/user-data.js';
import { labServer, type ServerUnderTest } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { createRouterTestAgent, createTestAgent, eventually, startRegistered } from '../support/agents.js';
import { startKw } from '../support/kw-desk.js';
import { MINIMAL_SDP } from '../support/sdp.js';

const CARD = '4111 1111 1111 1234';
const IBAN = 'DE89370400440532013000';
const SSN = '078-05-1120';
/** The secrets as they could travel: as written, percent-encoded in a header, digits only. */
const LEAKS = [CARD, '4111%201111', '4111111111111234', '411111', IBAN, '89370400', SSN, '078-05'];

interface DownTap {
  readonly url: string;
  /** Every frame the server sent to the client, as UTF-8 text. */
  readonly toClient: string[];
  close(): Promise<void>;
}

/** A loopback relay in front of the SIP server that records what reaches the client. */
async function startDownTap(upstreamUrl: string): Promise<DownTap> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const toClient: string[] = [];
  wss.on('connection', (client) => {
    const upstream = new WebSocket(upstreamUrl, 'sip');
    const pending: Array<{ data: WebSocket.RawData; binary: boolean }> = [];
    upstream.on('open', () => {
      for (const p of pending.splice(0)) upstream.send(p.data, { binary: p.binary });
    });
    upstream.on('message', (data, binary) => {
      toClient.push(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
    });
    client.on('message', (data, binary) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else pending.push({ data, binary });
    });
    const closeBoth = (): void => {
      client.terminate();
      upstream.terminate();
    };
    for (const end of [client, upstream]) {
      end.on('close', closeBoth);
      end.on('error', closeBoth);
    }
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    toClient,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('masked customer data at the KW end (lab SIP server)', () => {
  const log = memoryLogger('warn');
  const later = cleanupAfterEach();

  async function routerWithMask(s: ServerUnderTest): Promise<RunningRouter> {
    const r = await startRouter({
      config: {
        domain: s.domain,
        routingPoints: [
          {
            uri: 'cards',
            strategy: 'longest-idle',
            members: ['kw1'],
            previewTimeoutSeconds: 10,
            mask: {
              CardNumber: { keepLast: 4 },
              Iban: { pattern: '^(..)(.*)(....)$', replace: '$1…$3' },
              Ssn: 'hide',
            },
          },
        ],
      },
      servers: [s.url],
      domain: s.domain,
      logger: log.logger.child('router'),
      createAgent: createRouterTestAgent,
    });
    later.peer(() => r.close());
    return r;
  }

  it('the preview and the escalated call reach the KW masked; the full values never do', async () => {
    const s = await labServer.start({ logger: log.logger });
    later(() => s.close());
    const tap = await startDownTap(s.url);
    later(() => tap.close());
    const rp = `sip:cards@${s.domain}`;
    const k = await startKw(s, 'kw1', log.logger, { trustedRoutingPoints: [rp], servers: [tap.url] });
    later.peer(() => k.stop());
    const r = await routerWithMask(s);
    await eventually(
      () => r.routingState(k.uri).kind === 'Ready',
      8000,
      () => 'router never saw kw1 Ready',
    );

    const agentUa = createTestAgent(s, 'agent1', { logger: log.logger, displayName: 'Agent One' });
    later.peer(() => agentUa.stop(1500));
    await startRegistered(agentUa);
    const bot = new AgentBot({ agent: agentUa, logger: log.logger });
    later.peer(async () => bot.dispose());

    const asked = bot.askExpert(rp, {
      text: 'Customer disputes a card payment',
      subject: 'Card dispute',
      // Keys in another case than the rules: matched all the same.
      userData: { cardnumber: CARD, IBAN, Ssn: SSN, Tier: 'gold' },
    });
    const { preview } = await k.nextPreview();
    expect(preview.userData).toEqual({
      cardnumber: '•••• 1234',
      IBAN: 'DE…3000',
      Ssn: '(hidden)',
      Tier: 'gold',
    });
    const previewFrame = tap.toClient.find((f) => f.startsWith('MESSAGE ') && f.includes('"preview"'));
    expect(previewFrame).toContain('"cardnumber":"•••• 1234"');

    await k.core.previews.accept(preview.interactionId);
    const outcome = await asked;
    if (outcome.kind !== 'routed') throw new Error(`not routed: ${outcome.kind}`);

    // An escalated call is redirected: the KW gets the caller's own INVITE, headers and all.
    const invites: Array<Record<string, string>> = [];
    k.core.agent.onInvite((invite) => {
      invites.push(readUserData(invite.raw));
      return { kind: 'reject', status: 486, reason: 'Busy Here' };
    });
    const call = (userData: Record<string, string>) =>
      agentUa.request('INVITE', rp, {
        headers: [
          `X-Interaction-Id: ${outcome.interactionId}`,
          'X-Escalation: transfer',
          ...userDataHeaders(userData),
        ],
        contentType: 'application/sdp',
        body: MINIMAL_SDP,
      });
    const refused = await call({ CardNumber: CARD });
    expect([refused.status, refused.reason]).toEqual([403, 'Customer Data Not Masked']);
    expect(invites).toEqual([]);
    // Already masked by the agent's side: the call goes through to the KW.
    const masked = await call({ CardNumber: '•••• 1234', Tier: 'gold' });
    expect(masked.status).toBe(486);
    expect(invites).toEqual([{ CardNumber: '•••• 1234', Tier: 'gold' }]);

    const received = tap.toClient.join('\n');
    expect(tap.toClient.filter((f) => f.startsWith('INVITE '))).toHaveLength(1);
    for (const secret of LEAKS) expect(received).not.toContain(secret);
    // The router's event log never held user data.
    const events = JSON.stringify(r.events());
    for (const secret of LEAKS) expect(events).not.toContain(secret);
    expect(
      r
        .events()
        .filter((e) => e.event === 'call-refused')
        .map((e) => e.reason),
    ).toEqual(['403 Customer Data Not Masked']);
  });
});
