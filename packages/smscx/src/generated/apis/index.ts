export * from './AccountApi';
export * from './MultichannelApi';
export * from './SmsApi';
