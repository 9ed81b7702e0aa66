/**
 * The links a command line (or macOS `open-url`) hands the app: a provisioning
 * link `kwdesk://provision?url=https://…`, a `sip:`/`sips:`/`tel:` address (the
 * OS passes the whole URI as one argument, unquoted), or `--provision URL`
 * (turned into the same provisioning link). Chromium may add its own switches
 * anywhere in a second start's argv, even between `--provision` and its URL,
 * so switches are skipped while looking for the value. Pure.
 */

/** Longest link accepted, and longest provisioning URL inside one. */
export const MAX_LINK_LENGTH = 2048;

export const PROVISION_SWITCH = '--provision';

export interface ArgvLinks {
  /** Accepted links, in order, provisioning links in their one canonical form. */
  readonly links: string[];
  /** Arguments that looked like a link but are not valid (for a debug line). */
  readonly ignored: string[];
}

const DIAL_URI = /^(sips?|tel):\S+$/i;
const LINK_LIKE = /^(kwdesk|sips?|tel):/i;

/** `kwdesk://provision?url=<encodeURIComponent(url)>`: the form KwApp.openLink receives. */
export function provisionLink(url: string): string {
  return `kwdesk://provision?url=${encodeURIComponent(url)}`;
}

/** The https URL of a provisioning document, or undefined when `value` is not one. */
export function provisioningUrl(value: string): string | undefined {
  if (value.length > MAX_LINK_LENGTH || /\s/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' && url.hostname !== '' ? value : undefined;
}

/** A kwdesk: link in canonical form, or undefined when it is not a provisioning link. */
function kwdeskLink(arg: string): string | undefined {
  if (arg.length > MAX_LINK_LENGTH || /\s/.test(arg)) return undefined;
  let link: URL;
  try {
    link = new URL(arg);
  } catch {
    return undefined;
  }
  // Some launchers add a slash after the host (`kwdesk://provision/?url=…`).
  if (link.protocol !== 'kwdesk:' || link.host !== 'provision' || !['', '/'].includes(link.pathname))
    return undefined;
  const target = link.searchParams.get('url');
  const url = target === null ? undefined : provisioningUrl(target);
  return url === undefined ? undefined : provisionLink(url);
}

/** One argument that is a link by itself, or undefined. */
function linkOf(arg: string): string | undefined {
  if (/^kwdesk:/i.test(arg)) return kwdeskLink(arg);
  return arg.length <= MAX_LINK_LENGTH && DIAL_URI.test(arg) ? arg : undefined;
}

/**
 * The value of `--provision` at `index`: `--provision=URL`, or the next
 * argument that is not a switch (`valueIndex`: where that argument is).
 */
function provisionValue(argv: readonly string[], index: number): { value?: string; valueIndex?: number } {
  const arg = argv[index] ?? '';
  if (arg.startsWith(`${PROVISION_SWITCH}=`)) return { value: arg.slice(PROVISION_SWITCH.length + 1) };
  let at = index + 1;
  while (at < argv.length && (argv[at] ?? '').startsWith('--')) at += 1;
  const value = argv[at];
  return value === undefined ? {} : { value, valueIndex: at };
}

function isProvisionSwitch(arg: string): boolean {
  return arg === PROVISION_SWITCH || arg.startsWith(`${PROVISION_SWITCH}=`);
}

export function readArgv(argv: readonly string[]): ArgvLinks {
  const links: string[] = [];
  const ignored: string[] = [];
  const consumed = new Set<number>(); // values of --provision, not links by themselves
  argv.forEach((arg, i) => {
    if (consumed.has(i)) return;
    if (isProvisionSwitch(arg)) {
      const { value, valueIndex } = provisionValue(argv, i);
      if (valueIndex !== undefined) consumed.add(valueIndex);
      const url = value === undefined ? undefined : provisioningUrl(value);
      if (url !== undefined) links.push(provisionLink(url));
      else ignored.push(`${PROVISION_SWITCH} ${(value ?? '(no URL)').split('?')[0] ?? ''}`.slice(0, 200));
      return;
    }
    const link = linkOf(arg);
    if (link !== undefined) links.push(link);
    else if (LINK_LIKE.test(arg)) ignored.push(arg.slice(0, 200));
  });
  return { links, ignored };
}

/** The accepted links of a command line, in order. */
export function linksFromArgv(argv: readonly string[]): string[] {
  return readArgv(argv).links;
}

/**
 * A link for the log: a provisioning link shows its document's host and path
 * only, since a query there may carry a one-time secret.
 */
export function linkForLog(link: string): string {
  if (!/^kwdesk:/i.test(link)) return link.slice(0, 200);
  const target = URL.canParse(link) ? new URL(link).searchParams.get('url') : null;
  const url = target !== null && URL.canParse(target) ? new URL(target) : undefined;
  const shown = url ? `kwdesk://provision (${url.origin}${url.pathname})` : (link.split('?')[0] ?? '');
  return shown.slice(0, 200);
}
