export * from './OmniApi';
