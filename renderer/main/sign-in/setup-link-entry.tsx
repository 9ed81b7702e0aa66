/** "Have a setup link?": the KW pastes the https address their organization sent; main fetches and checks it. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { errorText, kwApi } from '../../shared/kw.js';

/** The https address inside a kwdesk://provision?url=… link, or the text as pasted. */
export function setupAddress(text: string): string {
  const t = text.trim();
  if (!/^kwdesk:/i.test(t)) return t;
  try {
    return new URL(t).searchParams.get('url') ?? t;
  } catch {
    return t;
  }
}

export function SetupLinkEntry(): JSX.Element {
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);
  const use = (): void => {
    const url = setupAddress(link);
    if (!/^https:\/\/\S+$/i.test(url)) {
      setError('A setup link starts with https:// (or kwdesk://provision).');
      return;
    }
    setError(null);
    kwApi()
      ?.provisioning.open({ url })
      .catch((err: unknown) => setError(errorText(err)));
  };
  return (
    <details class="sign-in-more setup-entry" open={error !== null}>
      <summary>Use a setup link from your organization</summary>
      <form
        class="setup-entry-row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          use();
        }}
      >
        <label for="f-setup-link" class="visually-hidden">
          Setup link
        </label>
        <input
          id="f-setup-link"
          type="url"
          spellcheck={false}
          placeholder="https://…"
          value={link}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'err-setup-link' : undefined}
          onInput={(e) => setLink(e.currentTarget.value)}
        />
        <button type="submit" class="btn">
          Use link
        </button>
      </form>
      {error && (
        <p id="err-setup-link" class="field-error">
          {error}
        </p>
      )}
    </details>
  );
}
