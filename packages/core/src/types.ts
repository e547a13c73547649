// The types of the public API, apart from its values so that `@msgkit/core/internal` can offer them
// too: interfaces and type aliases only (a class here would type-check from internal and be missing
// at run time).
export type { ApiErrorKind, MsgkitErrorCode, ValidationIssue } from './errors';
export type { HttpPolicyOptions, RequestOptions, ResponseInfo, WithRequestId, WithResponse } from './http/execute';
export type { ClientOptions } from './http/client';
export type { AttemptHooks, AttemptResponse, RequestHook, RequestInfo, ResponseHook, RetryHook, RetryInfo } from './http/hooks';
export type { LogLevel, LogRecord, Logger } from './http/log';
export type { Note, NoteHandler } from './rules/notes';
export type { CheaperSubstitution, CheaperSuggestions, NationalLanguage, NationalShift, SegmentCount, SegmentOptions, SmsBilling, SmsEncoding, SubstitutionKind, VendorSegmentCount } from './text/index';
export type { BoundTemplate, CompiledTemplate, TemplateFailure, TemplateFailureCode } from './text/index';
export type { BatchContext, BatchFailure, BatchKeyContent, BatchOutcome, BatchResult, BeginRecord, CampaignJournal, JournalBatch, JournaledBatchResult, JournalOptions, SendInBatchesOptions } from './batch/index';
export type { DeliveryEvent, DeliveryReference, DeliveryReportFormat, DeliveryStatus } from './delivery/index';
export type {
  AttemptOutcome,
  BatchEstimate,
  CampaignMessage,
  CampaignSender,
  ClientIdsFact,
  CredentialVariable,
  DedupeFact,
  EnvRecord,
  EstimatedRecipient,
  FailoverAttempt,
  FailoverClass,
  FailoverDecision,
  FailoverJournal,
  FailoverOptions,
  FailoverProofOptions,
  FailoverResult,
  FieldFact,
  FromEnvOptions,
  LookupQuery,
  LookupResult,
  MessageOptionFact,
  MoveProof,
  RecipientMessage,
  RecipientOutcome,
  RecipientRefusal,
  RecipientRefusalRule,
  RecipientState,
  RecipientTry,
  ReferenceFact,
  RefusalRule,
  SendOptions,
  SenderBalance,
  SenderFacts,
  SenderFactory,
  SentBatch,
  TimerFailover,
  TimerProofOptions,
} from './campaign/index';
export type { NormalizedRecipients, NormalizePhoneOptions, PhoneErrorCode, PhoneNumberType, PhoneResult } from './phone/index';
