import Table from 'cli-table3';

/** A plain table for terminals and logs alike: no colours, so piped output stays readable. */
export function renderTable(head: string[], rows: Array<Array<string | number>>): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((row) => row.map(String)));
  return table.toString();
}
