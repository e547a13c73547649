import { campaignStatus, type CampaignStatus } from '../status';

/** Polls the campaign's status until every batch has an outcome, however long that takes (a hang ends at the test's limit). */
export async function waitDone(url: string, campaignId: string, prefix: string): Promise<CampaignStatus> {
  for (;;) {
    const status = await campaignStatus(url, campaignId, { prefix });
    if (status?.done && status.inFlight.length === 0) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `n` distinct mobile numbers of one country, in E.164. */
export const gbNumbers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `+447400${String(from + i).padStart(6, '0')}`);
export const frNumbers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `+3361${String(from + i).padStart(7, '0')}`);
