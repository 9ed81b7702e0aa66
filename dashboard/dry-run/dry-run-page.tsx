/**
 * The dry run: pick a routing point, set each member's presence (a state the
 * KW Desktop publishes, or a pasted PIDF document), optional user data and an
 * edited config; Run asks the router what its mapping and strategy would do.
 * Nothing is saved.
 */
import { signal } from '@preact/signals';
import type { JSX } from 'preact';
import { dryRun, type DryRunOutcome } from '../live/api.js';
import { auth, signInNote, snapshot } from '../store.js';
import { formFor, requestOf, type DryRunForm, type MemberForm } from './dry-run-form.js';
import { MemberPresenceRow } from './member-presence-row.js';
import { DryRunAnswer } from './dry-run-answer.js';

const form = signal<DryRunForm | null>(null);
const answer = signal<DryRunOutcome | { kind: 'problems'; problems: readonly string[] } | null>(null);
const running = signal(false);

function currentForm(): DryRunForm {
  // Until the supervisor changes something, the first routing point as it is live.
  return form.value ?? formFor(snapshot.value?.routingPoints[0]);
}

function update(change: Partial<DryRunForm>): void {
  form.value = { ...currentForm(), ...change };
}

function updateMember(index: number, change: Partial<MemberForm>): void {
  const members = currentForm().members.map((m, i) => (i === index ? { ...m, ...change } : m));
  update({ members });
}

async function run(event: Event): Promise<void> {
  event.preventDefault();
  if (running.value) return;
  const outcome = requestOf(currentForm());
  if (!outcome.ok) {
    answer.value = { kind: 'problems', problems: outcome.problems };
    return;
  }
  running.value = true;
  const result = await dryRun(outcome.request);
  running.value = false;
  if (result.kind === 'signed-out') {
    signInNote.value = 'Your session ended. Sign in again.';
    auth.value = 'signed-out';
    return;
  }
  answer.value = result;
}

export function DryRunPage(): JSX.Element {
  const points = snapshot.value?.routingPoints ?? [];
  const current = currentForm();
  return (
    <main class="dry-run">
      <form class="card dry-run-form" onSubmit={(e) => void run(e)} noValidate>
        <h2>Dry run</h2>
        <p class="muted">
          What would the router do with the next interaction? Set the members’ presence and see the mapping,
          the offer order and who is skipped. Nothing is saved or sent to anyone.
        </p>
        <div class="field">
          <label for="dry-point">Routing point</label>
          <select
            id="dry-point"
            value={current.routingPoint}
            onChange={(e) => {
              const uri = e.currentTarget.value;
              form.value = formFor(
                points.find((p) => p.uri === uri),
                uri,
              );
              answer.value = null;
            }}
          >
            {points.map((p) => (
              <option key={p.uri} value={p.uri}>
                {p.name.trim() || p.uri}
              </option>
            ))}
          </select>
        </div>
        <table class="dry-members">
          <caption class="sr-only">Members and their presence for the dry run</caption>
          <thead>
            <tr>
              <th scope="col">KW</th>
              <th scope="col">Presence</th>
              <th scope="col">Chats now</th>
            </tr>
          </thead>
          <tbody>
            {current.members.map((member, index) => (
              <MemberPresenceRow
                key={member.kw}
                index={index}
                member={member}
                onChange={(change) => updateMember(index, change)}
              />
            ))}
          </tbody>
        </table>
        {current.members.length === 0 && <p class="muted">This routing point has no members.</p>}
        <div class="field">
          <label for="dry-user-data">User data (optional)</label>
          <textarea
            id="dry-user-data"
            rows={3}
            spellcheck={false}
            aria-describedby="dry-user-data-hint"
            value={current.userData}
            onInput={(e) => update({ userData: e.currentTarget.value })}
          />
          <p id="dry-user-data-hint" class="hint">
            One per line, like “CaseNumber: 42”. The named strategy reads it; the answer shows it masked as a
            KW would see it.
          </p>
        </div>
        <div class="field">
          <label for="dry-config">Edited config (optional)</label>
          <textarea
            id="dry-config"
            class="mono"
            rows={6}
            spellcheck={false}
            aria-describedby="dry-config-hint"
            value={current.config}
            onInput={(e) => update({ config: e.currentTarget.value })}
          />
          <p id="dry-config-hint" class="hint">
            The router’s config as JSON, checked but never saved. Leave it empty to use the current one.
          </p>
        </div>
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={running.value || points.length === 0}>
            {running.value ? 'Running…' : 'Run'}
          </button>
        </div>
      </form>
      <section class="card dry-run-answer" aria-labelledby="dry-answer-title" aria-live="polite">
        <h2 id="dry-answer-title">What the router would do</h2>
        <DryRunAnswer answer={answer.value} members={current.members} />
      </section>
    </main>
  );
}
