/** Sends control messages (DESIGN.md §4) over the SIP agent. */
import {
  CONTROL_CONTENT_TYPE,
  INTERACTION_HEADER,
  encodeControlMessage,
  type ControlInput,
  type ControlType,
} from '../protocol/control.js';
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
