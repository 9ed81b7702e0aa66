import { describe } from 'vitest';
import { defineImRoutingScenarios } from '../scenarios/im-routing.js';
import { labServer } from '../support/servers.js';

describe('IM routing through the lab SIP server', () => {
  defineImRoutingScenarios(labServer);
});
