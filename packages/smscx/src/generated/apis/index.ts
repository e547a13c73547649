export * from './MultichannelApi';
export * from './SmsApi';
