import { describe } from 'vitest';
import { defineRouterScenarios } from '../scenarios/router.js';
import { kamailioServer } from '../support/servers.js';
import { serverAvailable } from '../support/require-server.js';
import { kamailioVersion } from '../../lab/kamailio/launcher.js';

const available = await serverAvailable(kamailioServer);
// Say plainly in the CI log what these scenarios ran against.
if (available)
  console.log(`interop: router scenarios against a real Kamailio process: ${await kamailioVersion()}`);

describe.skipIf(!available)('router on Kamailio', () => {
  defineRouterScenarios(kamailioServer);
});
