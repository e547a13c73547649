export { FAILOVER_CLASSES } from './sender';
export type {
  CampaignMessage,
  CampaignSender,
  ClientIdsFact,
  CredentialVariable,
  DedupeFact,
  EnvRecord,
  FailoverClass,
  FailoverDecision,
  FieldFact,
  FromEnvOptions,
  LookupQuery,
  LookupResult,
  MessageOptionFact,
  RecipientMessage,
  RecipientRefusal,
  RecipientRefusalRule,
  ReferenceFact,
  RefusalRule,
  SendOptions,
  SenderFacts,
  SenderFactory,
  SentBatch,
} from './sender';
export { MissingCredentialsError, readCredentials } from './credentials';
export { classifyError, matchRefusal, recipientRefusal } from './classify';
export { messageShapeIssues, optionIssues, remapIssues, senderOptions } from './message';
export { INTERRUPTED_ATTEMPT, attemptDedupeKey, planChain, recipientMessageId } from './attempts';
export type { AttemptOutcome, ChainPlan, FailoverAttempt, FailoverJournal, NextAttempt, RecipientState } from './attempts';
export { ChainValidationError, chainBatchSize, chainIssues, sendWithFailover } from './failover';
export type { FailoverOptions, FailoverResult, RecipientOutcome, RecipientTry, TimerFailover } from './failover';
export { createSender, senderFactory } from './define';
export type { SenderImplementation } from './define';
