export { startSandbox } from './server';
export { SMSCX_GROUPS } from './vendors/smscx';
export { VENDORS } from './types';
export type { DeliveryAttempt, FaultSpec, ReceivedRequest, Sandbox, SandboxMessage, SandboxOptions, Vendor } from './types';
