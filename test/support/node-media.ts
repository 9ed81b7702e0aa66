/** A media bridge attached to a Node media host playing `toneHz`, detached and closed after the test. */
import type { Logger } from '../../main/core/log.js';
import { MediaBridge } from '../../main/core/media/media-bridge.js';
import { createLinkPair } from '../../main/core/media/link.js';
import { NodeMediaHost } from '../../lab/node-media/node-media-host.js';

export async function startNodeMedia(
  name: string,
  toneHz: number,
  logger: Logger,
  later: (fn: () => Promise<unknown>) => void,
): Promise<{ bridge: MediaBridge; host: NodeMediaHost }> {
  const bridge = new MediaBridge({ logger: logger.child(`${name}-bridge`), id: name });
  const link = createLinkPair();
  const host = new NodeMediaHost({
    link: link.host,
    name: `node-media ${name}`,
    toneHz,
    ice: { additionalHostAddresses: ['127.0.0.1'] },
    logger: logger.child(`${name}-host`),
  });
  const attached = bridge.attach(link.main);
  host.start();
  await attached;
  later(async () => {
    bridge.detach('test over');
    await host.close();
  });
  return { bridge, host };
}
