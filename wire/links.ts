/**
 * The one rule for external links, used by main to open them and by the renderer
 * to decide what is clickable: only https: with a host, and mailto: naming an
 * address, leave the app.
 */
export function safeExternalUrl(url: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === 'https:' && parsed.hostname !== '') return parsed;
  if (parsed.protocol === 'mailto:' && /^[^@\s]+@[^@\s]+$/.test(decodeSafe(parsed.pathname))) return parsed;
  return undefined;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
