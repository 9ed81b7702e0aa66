/** The dry run's answer: problems as sentences, or who gets the next offer, the order, and per member why. */
import type { JSX } from 'preact';
import type { DryRunOutcome } from '../live/api.js';
import type { MemberForm } from './dry-run-form.js';
import { resultHeadline, resultRows } from './result-model.js';

type Answer = DryRunOutcome | { kind: 'problems'; problems: readonly string[] } | null;

function Problems({ problems }: { readonly problems: readonly string[] }): JSX.Element {
  return (
    <div class="problems" role="alert">
      <p>The dry run cannot run yet:</p>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ul>
    </div>
  );
}

export function DryRunAnswer({
  answer,
  members,
}: {
  readonly answer: Answer;
  readonly members: readonly MemberForm[];
}): JSX.Element {
  if (answer === null) return <p class="muted">Set the presence on the left, then Run.</p>;
  if (answer.kind === 'problems') return <Problems problems={answer.problems} />;
  if (answer.kind === 'failed') return <Problems problems={[answer.message]} />;
  if (answer.kind === 'signed-out') return <p class="muted">Sign in again to run it.</p>;
  const result = answer.result;
  if (!result.ok) return <Problems problems={result.problems} />;
  const names = new Map(members.map((m) => [m.kw, m.name]));
  const rows = resultRows(result, names);
  return (
    <>
      <p class="headline">{resultHeadline(result, names)}</p>
      <table class="dry-result">
        <caption class="sr-only">Each member: presence as read, routing state, and the offer order</caption>
        <thead>
          <tr>
            <th scope="col">KW</th>
            <th scope="col">Presence as read</th>
            <th scope="col">Routing state</th>
            <th scope="col">Offer</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.kw} class={row.position === 1 ? 'is-next' : undefined}>
              <th scope="row">{row.name}</th>
              <td>{row.presence}</td>
              <td>
                {row.state}
                {row.reason && <span class="reason">{row.reason}</span>}
              </td>
              <td>{row.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
