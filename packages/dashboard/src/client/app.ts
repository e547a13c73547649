/**
 * The dashboard page: one event stream (server-sent events) brings the campaign list and the
 * selected campaign's summary each time it changes; the unknown recipients come a page at a time.
 * Plain DOM code, no framework: the server does the counting, the page only draws.
 */
import type { CampaignSummary, UnknownPage } from '../campaign';
import type { CampaignListEntry } from '../registry';
import type { Counts, RecipientState } from '../totals';

const STATES: RecipientState[] = ['pending', 'sent', 'delivered', 'failed', 'unknown'];
const LABELS: Record<RecipientState, string> = { pending: 'Pending', sent: 'Sent', delivered: 'Delivered', failed: 'Failed', unknown: 'Unknown' };
const PAGE = 50;
const SVG = 'http://www.w3.org/2000/svg';

const $ = <T extends HTMLElement | SVGElement = HTMLElement>(id: string) => document.getElementById(id) as unknown as T;
const fmt = (n: number) => n.toLocaleString('en');
const sumOf = (c: Counts) => STATES.reduce((n, s) => n + c[s], 0);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

let selected = new URLSearchParams(location.search).get('campaign') ?? '';
let summary: CampaignSummary | undefined;
let offset = 0;
let reveal = false;
let unknownTotal = -1;
let source: EventSource | undefined;

function table(id: string, head: string[], rows: Array<Array<string | number>>, numeric: number[], empty: string): void {
  const t = $<HTMLTableElement>(id);
  const thead = el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { scope: 'col', ...(numeric.includes(i) && { class: 'n' }) }, h))));
  const body = rows.length === 0
    ? [el('tr', {}, el('td', { colspan: String(head.length), class: 'empty' }, empty))]
    : rows.map((r) => el('tr', {}, ...r.map((v, i) => el('td', numeric.includes(i) ? { class: 'n' } : {}, typeof v === 'number' ? fmt(v) : v))));
  t.replaceChildren(thead, el('tbody', {}, ...body));
}

function countsRow(name: string, c: Counts): Array<string | number> {
  return [name, ...STATES.map((s) => c[s]), sumOf(c)];
}

function renderList(campaigns: CampaignListEntry[], queues: boolean, problem?: string): void {
  const select = $<HTMLSelectElement>('campaign');
  if (!selected || !campaigns.some((c) => c.id === selected)) selected = campaigns[0]?.id ?? '';
  select.replaceChildren(...campaigns.map((c) => el('option', { value: c.id, ...(c.id === selected && { selected: '' }) }, `${c.name}${c.running ? ' (running)' : ''} · ${fmt(sumOf(c.totals))}`)));
  $('queues').hidden = !queues;
  const box = $('problem');
  box.hidden = !problem;
  box.textContent = problem ?? '';
}

function renderSummary(s: CampaignSummary): void {
  summary = s;
  const c = s.campaign;
  $('campaign-id').textContent = c.campaignId || c.name;
  $('about').textContent = `${c.source === 'journal' ? `Journal ${c.name}` : 'Queue campaign in Redis'} · vendor ${c.provider || '—'}${c.created ? ` · started ${new Date(c.created).toLocaleString('en')}` : ''} · ${c.running ? 'running' : 'not running'}`;
  $('notes').replaceChildren(...c.notes.map((n) => el('li', {}, n)));
  $('totals').replaceChildren(
    el('div', {}, el('dt', {}, 'Recipients'), el('dd', { 'data-state': 'recipients', 'data-value': String(s.recipients) }, fmt(s.recipients))),
    ...STATES.map((state) => el('div', { class: state }, el('dt', {}, LABELS[state]), el('dd', { 'data-state': state, 'data-value': String(s.totals[state]) }, fmt(s.totals[state])))),
  );
  renderProgress(s);
  table('vendors', ['Vendor', ...STATES.map((x) => LABELS[x]), 'Total'], s.vendors.map((v) => countsRow(v.vendor, v.counts)), [1, 2, 3, 4, 5, 6], 'Nothing sent yet');
  table('countries', ['Country', ...STATES.map((x) => LABELS[x]), 'Total'], s.countries.map((v) => countsRow(countryName(v.country), v.counts)), [1, 2, 3, 4, 5, 6], 'Nothing sent yet');
  table(
    'failures',
    ['Vendor', 'Outcome', 'Code', 'Vendor code', 'Reason', 'Recipients', 'Batches'],
    s.failures.map((f) => [f.vendor, f.state === 'failed' ? 'failed' : 'unknown', f.code, f.vendorCode === undefined ? '' : String(f.vendorCode), f.reason ?? '', f.recipients, f.batches]),
    [5, 6],
    'No failure and no unknown outcome',
  );
  if (s.moreFailures > 0) $('failures').append(el('caption', {}, `${fmt(s.moreFailures)} smaller groups not shown`));
  const cost = s.cost.map((x) => `${x.amount.toLocaleString('en', { maximumFractionDigits: 4 })} ${x.currency} for ${fmt(x.recipients)} recipients`);
  // A recipient a failover moved on was charged by each vendor that accepted it: one charge may be known, another not.
  const none = s.costUnknown - s.costPartial;
  $('cost').textContent = cost.length > 0
    ? `${cost.join('; ')}${none > 0 ? `; no cost recorded for ${fmt(none)} more` : ''}${s.costPartial > 0 ? `; and more: ${fmt(s.costPartial)} of these recipients were also charged by a vendor that recorded no price` : ''}.`
    : `Not known: this campaign's store records no cost${s.costUnknown > 0 ? ` (${fmt(s.costUnknown)} recipients sent)` : ''}.`;
  renderFunnel(s);
  const revealButton = $<HTMLButtonElement>('reveal');
  revealButton.hidden = !c.canReveal;
  if (!c.canReveal) reveal = false;
  if (s.totals.unknown !== unknownTotal) void loadUnknown();
  $('live').textContent = `${c.running ? 'Live' : 'Up to date'} · updated ${new Date(s.updated).toLocaleTimeString('en')}`;
}

const regions = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : undefined;
function countryName(code: string): string {
  if (code === '-') return 'not recorded';
  if (code === '') return 'not known';
  return `${regions?.of(code) ?? code} (${code})`;
}

function renderProgress(s: CampaignSummary): void {
  const bar = $<SVGSVGElement>('progress');
  const total = Math.max(1, s.recipients);
  let x = 0;
  const parts: SVGElement[] = [];
  for (const state of STATES) {
    const w = (s.totals[state] / total) * 1000;
    if (w > 0) parts.push(svg('rect', { x, y: 0, width: w, height: 24, class: state }));
    x += w;
  }
  bar.replaceChildren(...parts);
  $('progress-text').replaceChildren(...STATES.flatMap((state) => [el('span', { class: `swatch ${state}`, 'aria-hidden': 'true' }), `${LABELS[state]} ${fmt(s.totals[state])}`]));
}

function renderFunnel(s: CampaignSummary): void {
  const chart = $<SVGSVGElement>('funnel');
  const points = s.timeline;
  if (points.length < 2) {
    chart.replaceChildren();
    $('funnel-text').textContent = 'The chart fills in as the dashboard watches the campaign change.';
    return;
  }
  const t0 = points[0]!.at;
  const span = Math.max(1, points.at(-1)!.at - t0);
  const top = Math.max(1, ...points.map((p) => sumOf(p.counts)));
  chart.replaceChildren(...STATES.filter((state) => points.some((p) => p.counts[state] > 0)).map((state) =>
    svg('polyline', { class: state, points: points.map((p) => `${((p.at - t0) / span) * 1000},${200 - (p.counts[state] / top) * 196}`).join(' ') })));
  const last = points.at(-1)!.counts;
  const seconds = Math.round(span / 1000);
  $('funnel-text').replaceChildren(`Over the last ${seconds} s the dashboard watched: `, ...STATES.flatMap((state) => [el('span', { class: `swatch ${state}`, 'aria-hidden': 'true' }), `${LABELS[state]} ${fmt(last[state])}`]));
}

async function loadUnknown(): Promise<void> {
  if (!summary) return;
  const id = summary.campaign.id;
  const response = await fetch(`/api/campaigns/${encodeURIComponent(id)}/unknown?offset=${offset}&limit=${PAGE}${reveal ? '&reveal=1' : ''}`);
  if (!response.ok || id !== summary.campaign.id) return;
  const page = (await response.json()) as UnknownPage;
  unknownTotal = summary.totals.unknown;
  if (page.total > 0 && offset >= page.total) {
    offset = Math.max(0, Math.floor((page.total - 1) / PAGE) * PAGE);
    return loadUnknown();
  }
  $('range').textContent = page.total === 0 ? 'None' : `${fmt(offset + 1)}–${fmt(offset + page.recipients.length)} of ${fmt(page.total)}`;
  $<HTMLButtonElement>('prev').disabled = offset === 0;
  $<HTMLButtonElement>('next').disabled = offset + PAGE >= page.total;
  table('unknown', ['Number', 'Row', 'Batch', 'Vendor', 'Code', 'Reason'], page.recipients.map((r) => [r.number, r.row === undefined ? '' : String(r.row), String(r.batch), r.vendor, r.code, r.reason ?? '']), [], 'No recipient of unknown outcome');
}

function connect(): void {
  source?.close();
  source = new EventSource(`/api/events?campaign=${encodeURIComponent(selected)}`);
  source.addEventListener('campaigns', (event) => {
    const { campaigns, queues, problem } = JSON.parse((event as MessageEvent<string>).data) as { campaigns: CampaignListEntry[]; queues: boolean; problem?: string };
    const before = selected;
    renderList(campaigns, queues, problem);
    if (selected !== before) connect();
  });
  source.addEventListener('summary', (event) => renderSummary(JSON.parse((event as MessageEvent<string>).data) as CampaignSummary));
  source.addEventListener('error', () => ($('live').textContent = 'Reconnecting…'));
}

$<HTMLSelectElement>('campaign').addEventListener('change', (event) => {
  selected = (event.target as HTMLSelectElement).value;
  offset = 0;
  unknownTotal = -1;
  history.replaceState(null, '', `?campaign=${encodeURIComponent(selected)}`);
  connect();
});
$('prev').addEventListener('click', () => {
  offset = Math.max(0, offset - PAGE);
  void loadUnknown();
});
$('next').addEventListener('click', () => {
  offset += PAGE;
  void loadUnknown();
});
$('reveal').addEventListener('click', () => {
  reveal = !reveal;
  $('reveal').setAttribute('aria-pressed', String(reveal));
  $('reveal').textContent = reveal ? 'Mask numbers' : 'Show full numbers';
  void loadUnknown();
});
connect();
