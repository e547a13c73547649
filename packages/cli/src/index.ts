export { createProgram, main } from './program';
export { PROVIDERS, type Provider, type ProviderName, type SendingClient } from './providers';
export type { Io } from './io';
