export * from './MultichannelApi';
export * from './SmsCampaignApi';
export * from './WalletApi';
