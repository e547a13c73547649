import { formatMs, type CampaignStatus } from './status';

/** The status as a few lines of text, for a terminal (`msgkit-queue status`, `msgkit campaign status`). */
export function formatCampaignStatus(status: CampaignStatus, now: number = Date.now()): string {
  const row = (label: string, t: { batches: number; recipients: number }) => `  ${label.padEnd(8)} ${String(t.recipients).padStart(10)} recipients in ${t.batches} batches`;
  const lines = [
    `campaign ${status.campaignId}: ${status.chain ? `chain ${status.chain.join(' -> ')}` : status.provider} account ${status.account} (queue ${status.queue}), ${status.recipients} recipients in ${status.batches} batches of up to ${status.batchSize}`,
    row('sent', status.sent),
    ...Object.entries(status.sentBy ?? {}).map(([vendor, n]) => `    by ${vendor.padEnd(10)} ${String(n).padStart(6)} recipients`),
    ...(status.personalized ? [`  personalized: each recipient its own text, ${status.personalized.segments.total} SMS parts in all (${status.personalized.segments.min} to ${status.personalized.segments.max} each)`] : []),
    row('refused', status.refused),
    row('unknown', status.unknown),
    row('pending', status.pending),
  ];
  const d = status.deliveries;
  lines.push(`  delivery: ${d.delivered} delivered, ${d.failed} failed, ${d.pending} pending, ${d.unknown} unknown (reports and msgkit reconcile)`);
  for (const r of d.reasons) lines.push(`    ${r.state} ${r.recipients}: ${r.reason}`);
  if (status.failover) {
    const f = status.failover;
    lines.push(`  moved on after the send: ${f.moved.report} on a final negative report, ${f.moved.timer} on the timer`);
    // Shown zero included after a timer failover: the timer's cost.
    if (f.moved.timer > 0 || f.deliveredTwice > 0) lines.push(`    delivered twice (two vendors reported it delivered): ${f.deliveredTwice}${f.deliveredTwice > 0 ? ` (${Object.entries(f.deliveredTwiceBy).map(([v, n]) => `${v} ${n}`).join(', ')} besides the vendor that holds it)` : ''}`);
  }
  if (d.unplaced > 0) lines.push(`    ${d.unplaced} report(s) wait for their batch's answer to be recorded (the receiver places them)`);
  if (d.unindexed > 0) lines.push(`    ${d.unindexed} report(s) on a vendor's account URL name a message id no batch recorded (any campaign of this prefix; kept, placed once one does)`);
  if (d.agedOut > 0) lines.push(`    ${d.agedOut} report(s) on a vendor's account URL named a message id no batch recorded within the receiver's window, or a number not in its batch (any campaign of this prefix; moved aside unplaced, the newest kept for proof)`);
  const { paused, rateLimited } = status.queueState;
  if (paused) {
    lines.push(
      `  PAUSED since ${paused.at}: the vendor refused the account's credentials (${paused.code}${paused.status !== undefined ? ` ${paused.status}` : ''}${paused.vendorCode !== undefined ? `, vendor code ${paused.vendorCode}` : ''}): ${paused.message}`,
      `    fix the credentials of the workers, then: msgkit-queue resume ${status.provider} --account ${status.account}`,
    );
  }
  if (rateLimited && (rateLimited.capped || Date.parse(rateLimited.until) > now)) {
    lines.push(
      `  rate limited at ${rateLimited.at}: every worker paused ${formatMs(rateLimited.pausedMs)}${rateLimited.capped ? ` (the vendor asked ${formatMs(rateLimited.askedMs ?? 0)}; capped)` : ''}, until ${rateLimited.until}`,
    );
  }
  if (status.stateLost) {
    lines.push(`  Redis lost state under this campaign (found ${status.stateLost.at}; it restarted without an append-only file): batches without an outcome then are unknown`);
  }
  if (status.inFlight.length > 0) lines.push(`  in flight: batches ${status.inFlight.join(', ')}`);
  for (const b of status.refusedBatches) lines.push(`  refused batch ${b.index}: ${b.code}${b.vendorCode !== undefined ? ` (vendor code ${b.vendorCode})` : ''}: ${b.message}`);
  for (const b of status.unplaceableBatches ?? []) lines.push(`  batch ${b.index} (${b.count} recipients): sent, but the vendor gave no message id for it (Octopush code 120 to a resend: the first attempt was accepted, its ticket is not returned and cannot be looked up); its reports cannot be placed and its recipients stay pending`);
  for (const r of status.refusedRecipients ?? []) lines.push(`  refused ${r.to} (batch ${r.batch}${r.sender ? `, ${r.sender}` : ''}): ${r.code}${r.reason ? `: ${r.reason}` : ''}`);
  for (const b of status.unknownBatches) {
    const at = b.tally ? `, ${b.recipients.length} of ${b.count} recipients` : '';
    lines.push(`  unknown batch ${b.index} (${b.reason}${at}${b.dedupeKey ? `, resend with dedupe key ${b.dedupeKey}` : ', check with the vendor before resending'}): ${b.recipients.join(' ')}`);
  }
  lines.push(status.done ? '  done' : '  not done');
  return lines.join('\n');
}
