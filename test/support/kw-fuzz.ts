/**
 * Malformed control and isComposing messages for the KW-core fuzz test,
 * generated from a seed (the same seed gives the same cases). Every case is
 * invalid by construction: a mutation class is only applied where it cannot
 * produce a valid message (no removal of optional fields, no "wrong type"
 * that JSON would read as the right one), so each must be answered 4xx.
 */
import { encodeIsComposing } from '../../wire/is-composing.js';
import { CONTROL_CONTENT_TYPE, IS_COMPOSING_CONTENT_TYPE } from '../../wire/content-types.js';
import { LIMITS } from '../../wire/control.js';
import { seededRandom } from './seeded-random.js';

export type FuzzSender = 'routing-point' | 'agent' | 'stranger';
export type FuzzBase = 'preview' | 'preview-cancel' | 'end' | 'isComposing';

export interface FuzzCase {
  /** The mutation class, for the counts. */
  readonly kind: string;
  readonly base: FuzzBase;
  readonly from: FuzzSender;
  readonly contentType: string;
  /** Bytes go on the wire as they are (not UTF-8): they cannot pass a SIP server, so they are injected. */
  readonly body: string | Buffer;
  readonly interactionId?: string;
}

export interface FuzzWorld {
  readonly domain: string;
  /** The routing point the KW trusts and the agent of the conversation it accepted. */
  readonly routingPoint: string;
  readonly agent: string;
  readonly stranger: string;
  /** The accepted conversation that `end` and isComposing cases aim at. */
  readonly acceptedId: string;
  readonly now: number;
}

class Picker {
  constructor(private readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  one<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('empty choice');
    return item;
  }
  uuid(): string {
    const hex = (n: number): string => Array.from({ length: n }, () => this.int(0, 15).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${this.one(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  }
}

type Json = Record<string, unknown>;

/** Fields of each JSON base: what type they must have, and whether they may be left out. */
interface FieldSpec {
  readonly path: readonly string[];
  readonly kind: 'string' | 'object' | 'literal';
  readonly required: boolean;
  /** A string longer than this is refused (subject has none: it is shortened). */
  readonly max?: number;
}

const PREVIEW_FIELDS: readonly FieldSpec[] = [
  { path: ['v'], kind: 'literal', required: true },
  { path: ['type'], kind: 'literal', required: true },
  { path: ['interactionId'], kind: 'string', required: true },
  { path: ['agent'], kind: 'object', required: true },
  { path: ['agent', 'uri'], kind: 'string', required: true, max: LIMITS.uri },
  { path: ['agent', 'displayName'], kind: 'string', required: true, max: LIMITS.displayName },
  { path: ['routingPoint'], kind: 'string', required: true, max: LIMITS.uri },
  { path: ['subject'], kind: 'string', required: true },
  { path: ['text'], kind: 'string', required: true, max: LIMITS.text },
  { path: ['userData'], kind: 'object', required: true },
  { path: ['userData', 'CaseNumber'], kind: 'string', required: false, max: LIMITS.userDataValue },
  { path: ['expiresAt'], kind: 'string', required: true },
];
const CANCEL_FIELDS: readonly FieldSpec[] = [
  { path: ['v'], kind: 'literal', required: true },
  { path: ['type'], kind: 'literal', required: true },
  { path: ['interactionId'], kind: 'string', required: true },
  { path: ['reason'], kind: 'string', required: true },
];
const END_FIELDS: readonly FieldSpec[] = [
  { path: ['v'], kind: 'literal', required: true },
  { path: ['type'], kind: 'literal', required: true },
  { path: ['interactionId'], kind: 'string', required: true },
  { path: ['reason'], kind: 'string', required: false, max: LIMITS.reason },
];

// None of these is a string, so none passes where a string is due (and none is 1 for `v`).
const NOT_STRINGS: readonly unknown[] = [0, -1, 1.5, true, false, null, [], {}, ['x'], { s: 'x' }, 1e308];
const NOT_OBJECTS: readonly unknown[] = ['x', '', 0, true, null, [], [['k', 'v']], ['x']];
const NOT_V: readonly unknown[] = ['1', 2, 0, -1, 1.5, true, null, [], {}, [1]];
const NOT_TYPES: readonly unknown[] = [7, null, true, [], {}, 'PREVIEW', 'launch-missiles', 'routed', ''];

const BAD_DATES: readonly string[] = [
  '2027-02-30T09:00:00.000Z',
  '2027-02-29T09:00:00Z',
  '2027-04-31T09:00:00Z',
  '2027-06-31T23:59:59Z',
  '2027-13-01T09:00:00Z',
  '2027-00-10T09:00:00Z',
  '2027-01-00T09:00:00Z',
  '2027-01-01T24:00:00Z',
  '2027-01-01T09:60:00Z',
  '2027-01-01T09:00:60Z',
  '2027-01-01T09:00:00+25:00',
  '2027-01-01 09:00:00Z',
  '2027-01-01T09:00:00',
  '2027-01-01',
  '20270101T090000Z',
  'tomorrow',
  '',
  '2027-01-01T09:00:00.Z',
  '+002027-01-01T09:00:00Z',
];

const WRONG_CONTENT_TYPES: readonly string[] = [
  'application/json',
  'text/html',
  'application/xml',
  'text/xml',
  'application/octet-stream',
  'application/vnd.kwdesk+xml',
  'multipart/mixed; boundary=x',
  'application/sdp',
  'application/pidf+xml',
  'message/cpim',
];

/** Byte sequences that are never UTF-8. */
const NOT_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0xc3],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
  [0xe2, 0x82],
];

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
}

export function fuzzCases(world: FuzzWorld, options: FuzzOptions): FuzzCase[] {
  const pick = new Picker(seededRandom(options.seed));
  const generator = new CaseGenerator(world, pick);
  return Array.from({ length: options.count }, () => generator.next());
}

class CaseGenerator {
  constructor(
    private readonly world: FuzzWorld,
    private readonly pick: Picker,
  ) {}

  next(): FuzzCase {
    const base = this.pick.one<FuzzBase>([
      'preview',
      'preview',
      'preview-cancel',
      'end',
      'isComposing',
      'isComposing',
    ]);
    return base === 'isComposing' ? this.composingCase() : this.controlCase(base);
  }

  // ---- control messages ----

  private valid(base: Exclude<FuzzBase, 'isComposing'>): {
    json: Json;
    from: FuzzSender;
    fields: readonly FieldSpec[];
  } {
    const { world, pick } = this;
    if (base === 'preview') {
      const json = {
        v: 1,
        type: 'preview',
        interactionId: pick.uuid(),
        agent: { uri: world.agent, displayName: 'Agent One' },
        routingPoint: world.routingPoint,
        subject: 'Invoice 42',
        text: 'Customer disputes invoice 42',
        userData: { CaseNumber: '42' },
        expiresAt: new Date(world.now + 120_000).toISOString(),
      };
      return { json, from: 'routing-point', fields: PREVIEW_FIELDS };
    }
    if (base === 'preview-cancel') {
      const json = {
        v: 1,
        type: 'preview-cancel',
        interactionId: pick.uuid(),
        reason: pick.one(['timeout', 'withdrawn', 'taken']),
      };
      return { json, from: 'routing-point', fields: CANCEL_FIELDS };
    }
    // An end aimed at the accepted conversation: any valid one would end it, so none may slip through.
    const json = { v: 1, type: 'end', interactionId: this.world.acceptedId, reason: 'agent-ended' };
    return { json, from: pick.one<FuzzSender>(['agent', 'routing-point']), fields: END_FIELDS };
  }

  private controlCase(base: Exclude<FuzzBase, 'isComposing'>): FuzzCase {
    const { json, from, fields } = this.valid(base);
    const mutations: Array<() => Omit<FuzzCase, 'base'>> = [
      () => this.control('truncation', from, this.truncate(JSON.stringify(json))),
      () => this.control('wrong type', from, JSON.stringify(this.wrongType(json, fields))),
      () => this.control('missing field', from, JSON.stringify(this.missingField(json, fields))),
      () => this.control('extra field', from, JSON.stringify(this.extraField(json))),
      () => this.control('huge string', from, this.huge(json, fields)),
      () => this.control('wrong value', from, JSON.stringify(this.wrongValue(json))),
      () => this.control('nesting bomb', from, this.nestingBomb(json, fields)),
      () => ({
        ...this.control('wrong content type', from, JSON.stringify(json)),
        contentType: this.pick.one([...WRONG_CONTENT_TYPES, IS_COMPOSING_CONTENT_TYPE]),
      }),
      () => this.control('bad utf-8', from, this.notUtf8(JSON.stringify(json))),
      () => ({
        ...this.control('header mismatch', from, JSON.stringify(json)),
        interactionId: this.pick.uuid(),
      }),
      () => this.control('untrusted sender', 'stranger', JSON.stringify(this.fromStranger(json))),
      ...(base === 'preview'
        ? [() => this.control('bad date', from, JSON.stringify({ ...json, expiresAt: this.badDate() }))]
        : []),
    ];
    return { base, ...this.pick.one(mutations)() };
  }

  private control(kind: string, from: FuzzSender, body: string | Buffer): Omit<FuzzCase, 'base'> {
    return { kind, from, contentType: CONTROL_CONTENT_TYPE, body };
  }

  /** A proper prefix: no JSON object or XML document is valid cut short. */
  private truncate(text: string): string {
    return text.slice(0, this.pick.int(0, text.length - 1));
  }

  private wrongType(json: Json, fields: readonly FieldSpec[]): Json {
    const field = this.pick.one(fields);
    const last = field.path.at(-1);
    const values =
      last === 'v'
        ? NOT_V
        : last === 'type'
          ? NOT_TYPES
          : field.kind === 'object'
            ? NOT_OBJECTS
            : NOT_STRINGS;
    return setAt(json, field.path, this.pick.one(values));
  }

  private missingField(json: Json, fields: readonly FieldSpec[]): Json {
    const field = this.pick.one(fields.filter((f) => f.required));
    return setAt(json, field.path, undefined);
  }

  private extraField(json: Json): Json {
    const key = this.pick.one([
      'extra',
      'admin',
      'html',
      '__meta',
      'Reason',
      'V',
      `x${this.pick.int(0, 999)}`,
    ]);
    const value = this.pick.one<unknown>(['<script>alert(1)</script>', 1, null, {}, [], true]);
    const inAgent = json.agent !== undefined && this.pick.int(0, 2) === 0;
    return inAgent ? setAt(json, ['agent', key], value) : { ...json, [key]: value };
  }

  /** A bounded field over its limit, or a whole body over the KW's 32 KiB (still under the server's 64). */
  private huge(json: Json, fields: readonly FieldSpec[]): string {
    const bounded = fields.filter((f) => f.max !== undefined);
    const field = bounded.length > 0 && this.pick.int(0, 3) > 0 ? this.pick.one(bounded) : undefined;
    if (field?.max === undefined) {
      return JSON.stringify({ ...json, reason: 'x'.repeat(this.pick.int(LIMITS.bodyBytes + 1, 60_000)) });
    }
    const length = this.pick.int(field.max + 1, field.max * 2);
    const last = field.path.at(-1) ?? '';
    // At most 4 bytes a character × 2 × 4000: under the SIP server's 64 KiB, so the KW is the one judging.
    const value = /uri|routingPoint/i.test(last)
      ? `sip:${'a'.repeat(length)}@lab.local`
      : this.pick.one(['x', 'é', '😀', '<']).repeat(length);
    return JSON.stringify(setAt(json, field.path, value));
  }

  private wrongValue(json: Json): Json {
    const choices: Array<() => Json> = [
      () => ({ ...json, v: this.pick.one([2, 0, -1, 100]) }),
      () => ({ ...json, type: this.pick.one(['preview-answer', 'routed', 'not-routed', 'nope']) }),
      () => ({
        ...json,
        interactionId: this.pick.one([
          'not-a-uuid',
          '',
          'x'.repeat(64),
          '11111111-1111-4111-8111-11111111111g',
          '../../etc/passwd',
        ]),
      }),
      ...(json.type === 'preview-cancel'
        ? [() => ({ ...json, reason: this.pick.one(['because', '', 'TIMEOUT']) })]
        : []),
      ...(json.type === 'preview'
        ? [
            () =>
              setAt(
                json,
                ['agent', 'uri'],
                this.pick.one(['http://x', 'agent1', 'sip:', 'sip:a b@x', 'mailto:a@b']),
              ),
          ]
        : []),
      ...(json.type === 'preview' ? [() => ({ ...json, userData: { 'bad key': 'v' } })] : []),
    ];
    return this.pick.one(choices)();
  }

  /** Deep arrays or objects in place of a field, or as the whole body. */
  private nestingBomb(json: Json, fields: readonly FieldSpec[]): string {
    const depth = this.pick.int(200, 4000);
    const bomb =
      this.pick.int(0, 1) === 0
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    if (this.pick.int(0, 3) === 0) return bomb;
    const field = this.pick.one(fields.filter((f) => f.path.length === 1));
    const marker = '"__BOMB__"';
    return JSON.stringify(setAt(json, field.path, '__BOMB__')).replace(marker, bomb);
  }

  private fromStranger(json: Json): Json {
    return json.type === 'preview' ? { ...json, routingPoint: this.world.stranger } : json;
  }

  private badDate(): string {
    if (this.pick.int(0, 4) === 0)
      return new Date(this.world.now - this.pick.int(1, 86_400_000)).toISOString();
    return this.pick.one(BAD_DATES);
  }

  /** The body as bytes with a sequence that is not UTF-8 put in somewhere. */
  private notUtf8(text: string): Buffer {
    const bytes = Buffer.from(text, 'utf8');
    const at = this.pick.int(0, bytes.length);
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(this.pick.one(NOT_UTF8)), bytes.subarray(at)]);
  }

  // ---- isComposing ----

  private composingCase(): FuzzCase {
    const doc = encodeIsComposing({ state: this.pick.one(['active', 'idle']), refresh: 60 });
    const state = /<state>(\w+)<\/state>/;
    const mutations: Array<() => Omit<FuzzCase, 'base'>> = [
      () => this.composing('truncation', this.truncate(doc)),
      () =>
        this.composing(
          'bad state',
          doc.replace(
            state,
            `<state>${this.pick.one(['typing', 'ACTIVE', '', 'active idle', '1', '<b/>', 'paused'])}</state>`,
          ),
        ),
      () => this.composing('missing field', doc.replace(/\s*<state>\w+<\/state>/, '')),
      () => this.composing('duplicate state', doc.replace(state, '<state>active</state><state>idle</state>')),
      () =>
        this.composing(
          'bad refresh',
          doc.replace(
            /<refresh>\d+<\/refresh>/,
            `<refresh>${this.pick.one(['0', '-1', 'abc', '1.5', '99999', '', '1e3', '3601'])}</refresh>`,
          ),
        ),
      () => {
        const name = this.pick.one(['foo', 'typing', 'html', 'script']);
        return this.composing(
          'extra field',
          doc.replace('</isComposing>', `<${name}>x</${name}></isComposing>`),
        );
      },
      () => this.composing('wrong root', this.wrongRoot(doc)),
      () =>
        this.composing(
          'entity bomb',
          doc
            .replace(
              '<isComposing',
              `<!DOCTYPE isComposing [<!ENTITY a "${'a'.repeat(50)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<isComposing`,
            )
            .replace('<state>', '<state>&b;'),
        ),
      () => this.composing('nesting bomb', this.xmlBomb(doc)),
      () =>
        this.composing(
          'huge string',
          doc.replace('</isComposing>', `<!--${'x'.repeat(this.pick.int(4100, 20_000))}--></isComposing>`),
        ),
      () =>
        this.composing(
          'mismatched tags',
          doc.replace('</state>', this.pick.one(['</stat>', '</State>', '<state>', ''])),
        ),
      () =>
        this.composing('text after root', `${doc}${this.pick.one(['<isComposing/>', 'junk', '<a></a>'])}`),
      () => this.composing('bad utf-8', this.notUtf8(doc)),
      () => ({
        ...this.composing('wrong content type', doc),
        contentType: this.pick.one([...WRONG_CONTENT_TYPES, CONTROL_CONTENT_TYPE]),
      }),
      () => ({ ...this.composing('untrusted sender', doc), from: 'stranger' }),
      () => {
        const { interactionId: _dropped, ...rest } = this.composing('missing interaction id', doc);
        return rest;
      },
    ];
    return { base: 'isComposing', ...this.pick.one(mutations)() };
  }

  private composing(kind: string, body: string | Buffer): Omit<FuzzCase, 'base'> {
    return {
      kind,
      from: 'agent',
      contentType: IS_COMPOSING_CONTENT_TYPE,
      body,
      interactionId: this.world.acceptedId,
    };
  }

  private wrongRoot(doc: string): string {
    return this.pick.one([
      doc.replace(' xmlns="urn:ietf:params:xml:ns:im-iscomposing"', ''),
      doc.replace('urn:ietf:params:xml:ns:im-iscomposing', 'urn:example:other'),
      doc.replace(/isComposing/g, 'iscomposing'),
      doc.replace(/isComposing/g, 'html'),
    ]);
  }

  /** Extension elements (another namespace, so allowed) nested deeper than the XML layer takes. */
  private xmlBomb(doc: string): string {
    const depth = this.pick.int(70, 250);
    const open = '<e:a xmlns:e="urn:x">'.concat('<e:a>'.repeat(depth - 1));
    return doc.replace('</isComposing>', `${open}${'</e:a>'.repeat(depth)}</isComposing>`);
  }
}

/** A copy of `json` with the value at `path` set (undefined: removed). */
function setAt(json: Json, path: readonly string[], value: unknown): Json {
  const [head, ...rest] = path;
  if (head === undefined) return json;
  const { [head]: inner, ...others } = json;
  if (rest.length === 0) return value === undefined ? others : { ...others, [head]: value };
  const child = typeof inner === 'object' && inner !== null ? (inner as Json) : {};
  return { ...others, [head]: setAt(child, rest, value) };
}
