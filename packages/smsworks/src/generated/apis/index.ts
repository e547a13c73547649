export * from './BatchApi';
export * from './MessagesApi';
