/** Counters for the last 15 minutes beside today's, reasons indented under their totals. */
import type { JSX } from 'preact';
import type { Counters } from '../wire/dashboard.js';
import { counterRows } from './view-model.js';

export function CountersTable({
  last15m,
  today,
}: {
  readonly last15m: Counters;
  readonly today: Counters;
}): JSX.Element {
  return (
    <section class="card counters" aria-labelledby="counters-title">
      <h2 id="counters-title">Numbers</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">
              <span class="sr-only">What</span>
            </th>
            <th scope="col" class="num">
              Last 15 min
            </th>
            <th scope="col" class="num">
              Today
            </th>
          </tr>
        </thead>
        <tbody>
          {counterRows(last15m, today).map((row, index) => (
            <tr key={`${index}-${row.label}`} class={row.detail ? 'detail' : undefined}>
              <th scope="row">{row.label}</th>
              <td class="num">{row.last15m}</td>
              <td class="num">{row.today}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
