export * from './AccountApi';
export * from './OmniApi';
