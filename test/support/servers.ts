/**
 * The SIP servers the scenarios run against, behind one interface: the lab
 * server (in-process) and a real Kamailio process. `kill()` + `restart()` stand
 * for a crash and a restart on the same port.
 */
import { startSipServer, type SipServer } from '../../lab/sip-server/index.js';
import { startKamailio, kamailioAvailable, type KamailioInstance } from '../../lab/kamailio/launcher.js';
import type { Logger } from '../../main/core/log.js';

export interface LabUser {
  readonly user: string;
  readonly password: string;
}

export interface ServerUnderTest {
  readonly kind: 'lab' | 'kamailio';
  readonly url: string;
  readonly domain: string;
  readonly caPem?: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerStartOptions {
  readonly users?: readonly LabUser[];
  readonly tls?: boolean;
  readonly logger: Logger;
}

export type ServerFactory = {
  readonly kind: 'lab' | 'kamailio';
  start(options: ServerStartOptions): Promise<ServerUnderTest>;
  /** Whether this machine can run it; in CI an unavailable server is a failure, not a skip. */
  available(): Promise<boolean>;
};

export const labServer: ServerFactory = {
  kind: 'lab',
  available: () => Promise.resolve(true),
  async start(options) {
    const startOn = (port: number): Promise<SipServer> =>
      startSipServer({
        port,
        logger: options.logger,
        ...(options.users ? { users: options.users } : {}),
        ...(options.tls ? { tls: true } : {}),
      });
    let server = await startOn(0);
    const port = server.port;
    return {
      kind: 'lab',
      get url() {
        return server.url;
      },
      domain: server.domain,
      ...(server.caPem ? { caPem: server.caPem } : {}),
      kill: () => server.close(),
      restart: async () => {
        server = await startOn(port);
      },
      close: () => server.close(),
    };
  },
};

export const kamailioServer: ServerFactory = {
  kind: 'kamailio',
  available: () => kamailioAvailable(),
  async start(options) {
    const startOn = (port: number | undefined): Promise<KamailioInstance> =>
      startKamailio({
        ...(port ? { port } : {}),
        logger: options.logger,
        ...(options.users ? { users: options.users } : {}),
      });
    let instance: KamailioInstance | undefined = await startOn(undefined);
    const port = instance.port;
    const url = instance.url;
    const domain = instance.domain;
    return {
      kind: 'kamailio',
      url,
      domain,
      kill: async () => {
        await instance?.kill();
        instance = undefined;
      },
      restart: async () => {
        instance = await startOn(port);
      },
      close: async () => {
        await instance?.stop();
        instance = undefined;
      },
    };
  },
};
