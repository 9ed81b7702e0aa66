/** The one rule for external links: only https: and mailto: leave the app. */
export function safeExternalUrl(url: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === 'https:' && parsed.hostname !== '') return parsed;
  if (parsed.protocol === 'mailto:' && parsed.pathname !== '') return parsed;
  return undefined;
}
