/** The Redis keys of a campaign's delivery states (the campaign's hash tag: one cluster slot with its journal). */
export function deliveryKeys(prefix: string, campaignId: string) {
  const base = `${prefix}:campaign:{${campaignId}}:dlr`;
  return {
    /** Recipient (E.164) → its record as JSON. */
    records: `${base}:records`,
    /** `s:<state>`, `b:<batch>:<state>`, `w:<state>\0<why>` → recipients with a record. */
    counts: `${base}:counts`,
    /** Reports whose recipient is not known yet (they overtook the send's answer): digest → JSON. */
    unplaced: `${base}:unplaced`,
    /** Every reconcile record, with its proof, in the order written. */
    reconcile: `${base}:reconcile`,
    /** Batch index → when its request began (ISO 8601), written before the request leaves. */
    sentAt: `${base}:sent-at`,
  };
}

/** The campaigns under a prefix that have reports waiting for their recipient. */
export const unplacedCampaignsKey = (prefix: string) => `${prefix}:dlr:unplaced-campaigns`;
