/** Sends control messages (docs/design.md §4) over the SIP agent. */
import { encodeControlMessage, type ControlInput, type ControlType } from '../../../wire/control.js';
import { CONTROL_CONTENT_TYPE } from '../../../wire/content-types.js';
import { INTERACTION_HEADER } from '../../../wire/header-names.js';
import type { SipAgent } from '../sip/agent.js';

export interface ControlSender {
  send<K extends ControlType>(target: string, type: K, fields: ControlInput<K>): Promise<void>;
}

export function sipControlSender(agent: SipAgent): ControlSender {
  return {
    async send(target, type, fields) {
      await agent.sendMessage(target, encodeControlMessage(type, fields), {
        contentType: CONTROL_CONTENT_TYPE,
        headers: [`${INTERACTION_HEADER}: ${fields.interactionId}`],
      });
    },
  };
}
