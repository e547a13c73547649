export * from './AccountApi';
export * from './MultichannelApi';
export * from './ReportsApi';
export * from './SmsApi';
