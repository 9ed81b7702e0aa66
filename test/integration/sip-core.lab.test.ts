import { describe } from 'vitest';
import { defineSipCoreScenarios } from '../scenarios/sip-core.js';
import { labServer } from '../support/servers.js';

describe('lab SIP server', () => {
  defineSipCoreScenarios(labServer);
});
