export * from './BatchApi';
export * from './CreditsApi';
export * from './MessagesApi';
