/** The on-disk shape of a history file: a version and the conversation (validated on load). */
import * as v from 'valibot';
import { ConversationSchema } from '../conversations/model.js';

export const HistoryFileSchema = v.object({ version: v.literal(1), conversation: ConversationSchema });
