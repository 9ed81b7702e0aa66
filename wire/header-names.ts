/** The SIP headers of our protocol, spelled once. */
/** Ties a MESSAGE or INVITE to its interaction (conversation). */
export const INTERACTION_HEADER = 'X-Interaction-Id';
/** On an escalated INVITE: `transfer` or `conference`. */
export const ESCALATION_HEADER = 'X-Escalation';
/** On a conference INVITE, one per other participant: `"Name" <sip:uri>` (our lab convention, see docs/decisions.md). */
export const PARTICIPANT_HEADER = 'X-Participant';
