/** The dry run's answer: problems as sentences, or who gets the next offer, the order, and per member why. */
import type { JSX } from 'preact';
import type { DryRunResult } from '../../wire/dashboard.js';
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

type Ok = Extract<DryRunResult, { ok: true }>;

/** Masked customer data (issue 16): each user-data key, its rule, and what the KW would receive. */
function MaskedUserData({ entries }: { readonly entries: NonNullable<Ok['userData']> }): JSX.Element {
  return (
    <table class="dry-masking">
      <caption>What the KW would see of the user data</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Masking rule</th>
          <th scope="col">Value the KW receives</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.key}>
            <th scope="row">{e.key}</th>
            <td>{e.rule}</td>
            <td class="mono">{e.value ?? <span class="muted">not in this request</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
      {result.userData && result.userData.length > 0 && <MaskedUserData entries={result.userData} />}
    </>
  );
}
