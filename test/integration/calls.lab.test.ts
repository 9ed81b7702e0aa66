import { defineCallScenarios } from '../scenarios/calls.js';
import { labServer } from '../support/servers.js';

defineCallScenarios(labServer);
