export { FAILOVER_CLASSES } from './sender';
export type {
  SenderBalance,
  BatchEstimate,
  CampaignMessage,
  CampaignSender,
  ClientIdsFact,
  CredentialVariable,
  DedupeFact,
  EnvRecord,
  EstimatedRecipient,
  FailoverClass,
  FailoverDecision,
  FieldFact,
  FromEnvOptions,
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
export { absenceVerdict, lookupRequests, matchRecipients, notFoundProof, strictestRateLimit } from './lookup';
export type { AbsenceProof, LookupOptions, LookupProof, LookupQuery, LookupReason, LookupResult, RateLimit, StatusLookupFact } from './lookup';
export { MissingCredentialsError, readCredentials, resolveCredentials } from './credentials';
export { classifyError, matchRefusal, recipientRefusal } from './classify';
export { messageShapeIssues, optionIssues, remapIssues, senderOptions } from './message';
export { INTERRUPTED_ATTEMPT, attemptDedupeKey, planChain, recipientMessageId } from './attempts';
export type { AttemptOutcome, ChainPlan, FailoverAttempt, FailoverJournal, MoveProof, NextAttempt, PlanOptions, RecipientState } from './attempts';
export { ChainValidationError, chainBatchSize, chainIssues, sendWithFailover, sendingTry } from './failover';
export type { FailoverOptions, FailoverResult, RecipientOutcome, RecipientTry, TimerFailover } from './failover';
export { createSender, senderFactory } from './define';
export type { SenderImplementation } from './define';
export { REPORT_FAILOVER_STATUSES, deliveredEarlier, failoverProofs, reportMovesOn } from './reportFailover';
export type { FailoverProofOptions, SenderReport, TimerProofOptions } from './reportFailover';
