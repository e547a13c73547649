// Everything both entry points share; they differ only in the phone metadata they bind.
export * from './text/index';
export * from './rules/index';
export * from './batch/index';
export * from './delivery/index';
export * from './campaign/index';
export type { NormalizedRecipients, NormalizePhoneOptions, PhoneErrorCode, PhoneNumberType, PhoneResult } from './phone/index';
export type { Lenient } from './lenient';
