/** The lab agent bot: a scripted agent for tests and the command line. */
export { AgentBot, AskError } from './agent-bot.js';
export type {
  AgentBotOptions,
  AskOptions,
  AskOutcome,
  BotInteraction,
  BotMessage,
  EndResult,
  ExpertKw,
} from './agent-bot.js';
