/**
 * The Settings form's fields enforced by the policy: disabled, with the note
 * "Set by your organization." that the field names in aria-describedby. The
 * components are imported by a computed path (the test project compiles
 * without JSX; Vitest builds the .tsx with Preact's runtime), as in
 * test/unit/renderer/history-banner.test.ts.
 */
import { describe, expect, it } from 'vitest';

interface VNode {
  readonly type: unknown;
  readonly props: Record<string, unknown> & { children?: unknown };
}

interface Fields {
  TextField: (props: Record<string, unknown>) => VNode;
  Check: (props: Record<string, unknown>) => VNode;
  LockedNote: (props: { id: string }) => VNode;
  LOCKED_NOTE: string;
}

async function fields(): Promise<Fields> {
  const path = '../../../renderer/main/settings/fields.js';
  return (await import(/* @vite-ignore */ path)) as Fields;
}

/** Every element of a VNode tree, expanding function components (LockedNote). */
function elements(node: unknown): VNode[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== 'object' || !('props' in node)) return [];
  const vnode = node as VNode;
  if (typeof vnode.type === 'function') return elements((vnode.type as (p: unknown) => unknown)(vnode.props));
  return [vnode, ...elements(vnode.props.children)];
}

const byId = (tree: VNode, id: string): VNode | undefined => elements(tree).find((n) => n.props['id'] === id);

describe('settings fields locked by the policy', () => {
  const text = {
    name: 'uri',
    label: 'SIP address',
    value: 'sip:kim@example.com',
    errors: {},
    onInput: () => {},
  };
  const check = { id: 'f-sounds', label: 'Sounds', checked: false, onChange: () => {} };

  it('a locked text field is disabled and described by the note', async () => {
    const { TextField, LOCKED_NOTE } = await fields();
    const tree = TextField({ ...text, locked: true });
    expect(byId(tree, 'f-uri')?.props).toMatchObject({ disabled: true, 'aria-describedby': 'f-uri-locked' });
    expect(byId(tree, 'f-uri-locked')?.props.children).toBe(LOCKED_NOTE);
    expect(LOCKED_NOTE).toBe('Set by your organization.');
  });

  it('an unlocked text field is enabled, without the note', async () => {
    const { TextField } = await fields();
    const tree = TextField(text);
    expect(byId(tree, 'f-uri')?.props['disabled']).toBe(false);
    expect(byId(tree, 'f-uri-locked')).toBeUndefined();
  });

  it('a locked checkbox is disabled and described by the note; an unlocked one is not', async () => {
    const { Check } = await fields();
    const locked = Check({ ...check, locked: true });
    expect(byId(locked, 'f-sounds')?.props).toMatchObject({
      disabled: true,
      'aria-describedby': 'f-sounds-locked',
    });
    expect(byId(locked, 'f-sounds-locked')).toBeDefined();
    const open = Check(check);
    expect(byId(open, 'f-sounds')?.props['disabled']).toBe(false);
    expect(byId(open, 'f-sounds-locked')).toBeUndefined();
  });
});

describe('Settings › Behaviour with the global shortcuts set by the policy', () => {
  type Behaviour = (props: Record<string, unknown>) => VNode;
  async function behaviour(): Promise<Behaviour> {
    const path = '../../../renderer/main/settings/behaviour-fields.js';
    return ((await import(/* @vite-ignore */ path)) as { BehaviourFields: Behaviour }).BehaviourFields;
  }
  const props = (locked: string[]) => ({
    form: {
      idleMinutes: '10',
      startAtLogin: false,
      sounds: true,
      shortcutsOn: true,
      acceptKey: 'CommandOrControl+Shift+F9',
      declineKey: 'CommandOrControl+Shift+F10',
    },
    errors: {},
    update: () => {},
    locked: new Set(locked),
  });

  it('locked: the switch is disabled and described by the note; both keys are disabled', async () => {
    const tree = (await behaviour())(props(['globalShortcuts']));
    expect(byId(tree, 'f-shortcutsOn')?.props).toMatchObject({
      disabled: true,
      'aria-describedby': 'f-shortcutsOn-locked f-shortcutsOn-hint',
    });
    expect(byId(tree, 'f-shortcutsOn-locked')?.props.children).toBe('Set by your organization.');
    expect(byId(tree, 'f-acceptKey')?.props['disabled']).toBe(true);
    expect(byId(tree, 'f-declineKey')?.props['disabled']).toBe(true);
    // One note for the group, not one per field.
    expect(elements(tree).filter((n) => String(n.props['id']).endsWith('-locked'))).toHaveLength(1);
    // The other keys' fields stay the KW's.
    expect(byId(tree, 'f-sounds')?.props['disabled']).toBe(false);
  });

  it('not locked: the switch and both keys can be changed', async () => {
    const tree = (await behaviour())(props(['sounds']));
    expect(byId(tree, 'f-shortcutsOn')?.props['disabled']).toBe(false);
    expect(byId(tree, 'f-acceptKey')?.props['disabled']).toBe(false);
    expect(byId(tree, 'f-declineKey')?.props['disabled']).toBe(false);
    expect(byId(tree, 'f-shortcutsOn-locked')).toBeUndefined();
  });
});
