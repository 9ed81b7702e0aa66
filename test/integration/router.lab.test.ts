import { describe } from 'vitest';
import { defineRouterScenarios } from '../scenarios/router.js';
import { labServer } from '../support/servers.js';

describe('router on the lab SIP server', () => {
  defineRouterScenarios(labServer);
});
