/** One member in the dry-run form: a presence state or a pasted PIDF document, and the chats they have. */
import type { JSX } from 'preact';
import { PRESENCE_LABELS, type MemberForm, type PresenceChoice } from './dry-run-form.js';

const CHOICES = Object.keys(PRESENCE_LABELS) as PresenceChoice[];

export function MemberPresenceRow(props: {
  readonly index: number;
  readonly member: MemberForm;
  readonly onChange: (change: Partial<MemberForm>) => void;
}): JSX.Element {
  const { index, member, onChange } = props;
  const id = `dry-member-${index}`;
  return (
    <tr>
      <th scope="row">
        <span class="name">{member.name}</span>
        {member.name !== member.kw && <span class="kw">{member.kw}</span>}
      </th>
      <td>
        <select
          id={`${id}-presence`}
          aria-label={`Presence of ${member.name}`}
          value={member.presence}
          onChange={(e) => onChange({ presence: e.currentTarget.value as PresenceChoice })}
        >
          {CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {PRESENCE_LABELS[choice]}
            </option>
          ))}
        </select>
        {member.presence === 'pidf' && (
          <textarea
            id={`${id}-pidf`}
            class="mono pidf"
            rows={5}
            spellcheck={false}
            aria-label={`PIDF document of ${member.name}`}
            placeholder='<presence xmlns="urn:ietf:params:xml:ns:pidf" …>'
            value={member.pidf}
            onInput={(e) => onChange({ pidf: e.currentTarget.value })}
          />
        )}
      </td>
      <td>
        <input
          id={`${id}-chats`}
          class="chats"
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          aria-label={`Chats ${member.name} has now`}
          value={member.interactions}
          onInput={(e) => onChange({ interactions: e.currentTarget.value })}
        />
      </td>
    </tr>
  );
}
