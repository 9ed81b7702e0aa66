/**
 * Decides, at collection time, whether a server's suite can run here. In CI a
 * missing server is an error (the suite must run there); locally it is a skip
 * that says why.
 */
import type { ServerFactory } from './servers.js';

export async function serverAvailable(factory: ServerFactory): Promise<boolean> {
  if (await factory.available()) return true;
  const message = `${factory.kind} is not installed on this machine`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI must run the ${factory.kind} suite`);
  console.warn(`${message}: skipping its scenarios (local run only; CI fails instead)`);
  return false;
}
