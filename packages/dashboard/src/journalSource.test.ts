import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileJournal, readJournal, type CampaignIdentity } from '@msgkit/journal';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalCampaign, JournalFolder } from './journalSource';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-dashboard-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `c${n++}.journal`);
const identity = (text: string): CampaignIdentity => ({ provider: 'smsworks', sender: 'Shop', text, options: { batchSize: 2 }, recipients: text });
const gb = (from: number, count: number) => Array.from({ length: count }, (_, i) => `+4474001${String(from + i).padStart(5, '0')}`);
const fr = (from: number, count: number) => Array.from({ length: count }, (_, i) => `+3361234${String(from + i).padStart(4, '0')}`);

describe('a journal file followed by the dashboard', () => {
  it('shows a batch being sent as pending while its run holds the journal, and as unknown (interrupted) once the run stopped', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity('a'));
    const campaign = new JournalCampaign(path);
    await journal.begin({ index: 0, recipients: gb(0, 2), rows: [2, 3] });
    await journal.settle(0, { status: 'sent', ids: ['b-0'] });
    await journal.begin({ index: 1, recipients: [...gb(2, 1), ...fr(0, 1)], rows: [4, 5] });
    expect(await campaign.refresh()).toBe(true);
    expect(campaign.info()).toMatchObject({ source: 'journal', provider: 'smsworks', running: true, campaignId: journal.campaignId });
    expect(campaign.totals.summary()).toMatchObject({ totals: { sent: 2, pending: 2, unknown: 0 }, countries: [{ country: 'GB', counts: { sent: 2, pending: 1 } }, { country: 'FR', counts: { pending: 1 } }] });
    expect(await campaign.refresh()).toBe(false);
    await journal.close();
    expect(await campaign.refresh()).toBe(true);
    expect(campaign.info().running).toBe(false);
    expect(campaign.totals.summary()).toMatchObject({ totals: { sent: 2, pending: 0, unknown: 2 }, failures: [{ vendor: 'smsworks', state: 'unknown', code: 'interrupted', recipients: 2, batches: 1 }] });
  });

  it("counts a failover chain's recipients once each, at the provider where they stand, and lists the unknown with theirs", async () => {
    const path = fresh();
    const chain = ['smscx', 'smsworks'];
    const journal = await openFileJournal(path, { ...identity('chain'), provider: chain.join(',') }, { chain });
    const record = journal.failover();
    const campaign = new JournalCampaign(path);
    const batch = [...gb(0, 2), ...fr(0, 2)];
    // SMS.CX sends the two British numbers and refuses the French ones with proof (no coverage): they move on to The SMS Works, whose answer is lost.
    await record.begin({ batch: 0, attempt: 0, sender: 'smscx', recipients: batch });
    await record.settle(0, 0, { status: 'sent', ids: ['c-0'], refused: fr(0, 2).map((to) => ({ to, failover: true, class: 'no_route', code: 'NO COVERAGE' })) });
    await record.begin({ batch: 0, attempt: 1, sender: 'smsworks', recipients: fr(0, 2) });
    await campaign.refresh();
    expect(campaign.totals.summary()).toMatchObject({ totals: { sent: 2, pending: 2, unknown: 0, failed: 0 } });
    await record.settle(0, 1, { status: 'unknown', code: 'timeout', message: 'no answer' });
    // A second batch refused by both: failed at the last provider that refused it, nothing sent.
    await record.begin({ batch: 1, attempt: 0, sender: 'smscx', recipients: gb(10, 1) });
    await record.settle(1, 0, { status: 'refused', failover: true, class: 'no_route', code: 'no_coverage', message: 'No coverage' });
    await record.begin({ batch: 1, attempt: 1, sender: 'smsworks', recipients: gb(10, 1) });
    await record.settle(1, 1, { status: 'refused', failover: false, code: 'bad_request', message: 'Invalid' });
    await journal.close();
    await campaign.refresh();
    const s = campaign.totals.summary();
    expect(s.totals).toMatchObject({ sent: 2, pending: 0, unknown: 2, failed: 1 });
    expect(s.countries).toEqual(expect.arrayContaining([{ country: 'FR', counts: expect.objectContaining({ unknown: 2, sent: 0 }) }, { country: 'GB', counts: expect.objectContaining({ sent: 2, failed: 1 }) }]));
    expect(s.failures).toEqual(expect.arrayContaining([expect.objectContaining({ vendor: 'smsworks', state: 'unknown', code: 'timeout', recipients: 2 }), expect.objectContaining({ vendor: 'smsworks', state: 'failed', code: 'bad_request', recipients: 1 })]));
    const page = await campaign.unknown(0, 10, true);
    expect(page.total).toBe(2);
    expect(page.recipients.map((r) => [r.number, r.vendor, r.code])).toEqual(fr(0, 2).map((to) => [to, 'smsworks', 'timeout']));
  });

  it("shows recipients Octopush accepted without a ticket (its code 120 to a resend) as sent, never failed or unknown, and names their count with the word ticket_unknown", async () => {
    const path = fresh();
    const chain = ['octopush'];
    const journal = await openFileJournal(path, { ...identity('octopush'), provider: 'octopush' }, { chain });
    const record = journal.failover();
    const campaign = new JournalCampaign(path);
    const batch = fr(10, 3);
    // The first answer was lost; the resume's resend met code 120: sent, no ticket.
    await record.begin({ batch: 0, attempt: 0, sender: 'octopush', recipients: batch, dedupeKey: 'k-0' });
    await record.settle(0, 0, { status: 'unknown', code: 'connection_error', message: 'No answer could be read from the vendor' });
    await record.begin({ batch: 0, attempt: 1, sender: 'octopush', recipients: batch, dedupeKey: 'k-0', resendOf: 0 });
    await record.settle(0, 1, { status: 'sent', ids: [], duplicate: true });
    // A second batch sent with its ticket: no note for it.
    await record.begin({ batch: 1, attempt: 0, sender: 'octopush', recipients: fr(20, 2), dedupeKey: 'k-1' });
    await record.settle(1, 0, { status: 'sent', ids: ['sms_1'] });
    await journal.close();
    await campaign.refresh();
    expect(campaign.totals.summary()).toMatchObject({ totals: { sent: 5, unknown: 0, failed: 0, pending: 0 }, failures: [] });
    expect((await campaign.unknown(0, 10, true)).total).toBe(0);
    expect(campaign.info().notes).toEqual([expect.stringMatching(/^3 recipients sent with ticket_unknown/)]);
  });

  it('reads only the records appended since its last refresh', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity('b'));
    await journal.begin({ index: 0, recipients: gb(0, 2) });
    await journal.settle(0, { status: 'sent', ids: ['b-0'] });
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    // Rewrite what was read already, byte for byte the same length: a reader that read the file
    // again would now count France; one that follows from its offset cannot see it.
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('+447400100000', '+336123400000').replaceAll('+447400100001', '+336123400001'));
    await journal.begin({ index: 1, recipients: gb(10, 2) });
    await journal.settle(1, { status: 'refused', code: 'bad_request', message: 'Invalid destination +447400100010', vendorCode: 'E1' });
    await journal.close();
    expect(await campaign.refresh()).toBe(true);
    const s = campaign.totals.summary();
    expect(s.countries).toEqual([{ country: 'GB', counts: { pending: 0, sent: 2, delivered: 0, failed: 2, unknown: 0 } }]);
    expect(s.failures).toEqual([{ vendor: 'smsworks', state: 'failed', code: 'bad_request', vendorCode: 'E1', reason: 'Invalid destination +44 74•• •••010', recipients: 2, batches: 1 }]);
  });

  it('agrees with readJournal (what msgkit report reads) on every outcome, a batch begun again on resume included', async () => {
    const path = fresh();
    let journal = await openFileJournal(path, identity('c'));
    await journal.begin({ index: 0, recipients: gb(0, 2) });
    await journal.settle(0, { status: 'refused', code: 'rate_limited', message: 'slow down' });
    await journal.begin({ index: 1, recipients: gb(2, 2) });
    await journal.settle(1, { status: 'unknown', code: 'timeout', message: 'no answer' });
    await journal.begin({ index: 2, recipients: gb(4, 1) });
    await journal.close();
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    journal = await openFileJournal(path, identity('c'));
    await journal.begin({ index: 0, recipients: gb(0, 2) });
    await journal.settle(0, { status: 'sent', ids: ['b-0'] });
    await journal.close();
    await campaign.refresh();
    const { batches } = await readJournal(path);
    const expected = { sent: 0, refused: 0, unknown: 0 };
    for (const b of batches.values()) expected[b.outcome!.status] += b.size;
    const { totals } = campaign.totals.summary();
    expect({ sent: totals.sent, refused: totals.failed, unknown: totals.unknown }).toEqual(expected);
    expect(expected).toEqual({ sent: 2, refused: 0, unknown: 3 });
  });

  it('lists the unknown recipients a page at a time with their rows and reasons, masked unless revealed', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity('d'));
    for (let i = 0; i < 4; i++) {
      await journal.begin({ index: i, recipients: gb(i * 2, 2), rows: [i * 2 + 2, i * 2 + 3] });
      await journal.settle(i, i === 1 ? { status: 'sent', ids: ['x'] } : { status: 'unknown', code: 'timeout', message: 'no answer', reason: 'the vendor did not answer' });
    }
    await journal.close();
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    const page = await campaign.unknown(1, 3, false);
    expect(page).toEqual({
      total: 6,
      offset: 1,
      recipients: [
        { number: '+44 74•• •••001', row: 3, batch: 0, vendor: 'smsworks', code: 'timeout', reason: 'the vendor did not answer' },
        { number: '+44 74•• •••004', row: 6, batch: 2, vendor: 'smsworks', code: 'timeout', reason: 'the vendor did not answer' },
        { number: '+44 74•• •••005', row: 7, batch: 2, vendor: 'smsworks', code: 'timeout', reason: 'the vendor did not answer' },
      ],
    });
    expect(campaign.info().canReveal).toBe(true);
    expect((await campaign.unknown(5, 10, true)).recipients.map((r) => r.number)).toEqual(gb(7, 1));
    expect((await campaign.unknown(6, 10, true)).recipients).toEqual([]);
  });

  it('starts over when the file is replaced by another campaign', async () => {
    const path = fresh();
    let journal = await openFileJournal(path, identity('e'));
    await journal.begin({ index: 0, recipients: gb(0, 2) });
    await journal.settle(0, { status: 'sent', ids: ['x'] });
    await journal.close();
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    rmSync(path);
    journal = await openFileJournal(path, identity('f'));
    await journal.begin({ index: 0, recipients: gb(0, 1) });
    await journal.settle(0, { status: 'refused', code: 'bad_request', message: 'no' });
    await journal.close();
    await campaign.refresh();
    expect(campaign.info().campaignId).toBe(journal.campaignId);
    expect(campaign.totals.summary().totals).toMatchObject({ sent: 0, failed: 1 });
  });
});

describe('a folder of journals', () => {
  it('shows every journal in it, ones started later included, and nothing else', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'list.csv'), 'phone\n+447400100000\n');
    const first = await openFileJournal(join(folder, 'spring.journal'), identity('g'));
    const watched = new JournalFolder(folder);
    expect((await watched.refresh()).map((c) => c.info().name)).toEqual(['spring.journal']);
    await first.close();
    const second = await openFileJournal(join(folder, 'summer.jsonl'), identity('h'));
    await second.close();
    expect((await watched.refresh()).map((c) => c.info().name).sort()).toEqual(['spring.journal', 'summer.jsonl']);
    rmSync(join(folder, 'spring.journal'));
    expect((await watched.refresh()).map((c) => c.info().name)).toEqual(['summer.jsonl']);
  });
});
