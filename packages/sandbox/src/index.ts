/**
 * A local HTTP server that behaves like the SMS.CX, The SMS Works, Octopush and Infobip APIs (validated against their OpenAPI specs), with fault injection, for tests and demos without vendor accounts.
 *
 * @module @msgkit/sandbox
 */
export { startSandbox } from './server';
export { BODY_TIMEOUT_MS, MAX_BODY_BYTES, MAX_JSON_DEPTH } from './body';
export { SMSCX_GROUPS } from './vendors/smscx';
export { VENDORS } from './types';
export type { AnsweredRequest, DeliveryAttempt, FaultSpec, ReportBehaviour, ReceivedRequest, Sandbox, SandboxMessage, SandboxOptions, Vendor } from './types';
