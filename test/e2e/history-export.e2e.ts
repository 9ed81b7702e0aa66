/**
 * History encrypted at rest and exported from the UI, in Chromium through the
 * harness: a real chat (lab SIP server, router, agent bot) leaves no plain
 * text in the history folder; "Export…" in the chat header downloads the
 * conversation as a web page (hostile text escaped, no script) and as JSON;
 * "Export all" in Settings downloads every conversation. Screenshots of the
 * export control, light and dark.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Download, Page } from '@playwright/test';
import { test, expect, screenshot, BILLING } from './fixtures.js';

const PHRASE = 'purple-walrus-ledger-7731';
const HOSTILE = `<script>window.__pwned=1</script> ${PHRASE}`;

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const waiting = page.waitForEvent('download');
  await click();
  const download: Download = await waiting;
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test.describe('history: encrypted at rest, exported from the UI', () => {
  test('no plain text on disk; export one conversation (HTML, JSON) and all', async ({ world, page }) => {
    test.setTimeout(90_000);
    await world.openMain(page);
    const asked = world.bot.askExpert(BILLING, {
      subject: 'Export check',
      text: 'Customer on the line',
      userData: { CustomerName: 'Zoë Export-Tester' },
    });
    await page.getByTestId('preview-card').filter({ hasText: 'Export check' }).getByTestId('accept').click();
    const outcome = await asked;
    if (outcome.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(outcome)}`);
    await world.bot.say(outcome.interactionId, HOSTILE);
    await expect(page.getByTestId('message').filter({ hasText: PHRASE })).toBeVisible();

    // On disk: every file under the history folder, raw, holds none of it.
    await expect
      .poll(async () => (await allFiles(world.historyDir)).some((f) => f.endsWith('.jsonl')))
      .toBe(true);
    for (const file of await allFiles(world.historyDir)) {
      const raw = (await readFile(file)).toString('latin1');
      for (const secret of [PHRASE, 'sip:agent1@lab.local', 'Export-Tester', 'Export check'])
        expect(raw, `${file} holds ${secret}`).not.toContain(secret);
    }

    await page.getByTestId('export-conversation').click();
    await expect(page.getByTestId('export-html')).toBeVisible();
    await screenshot(page, 'history-export-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'history-export-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    const html = await downloaded(page, () => page.getByTestId('export-html').click());
    expect(html.name).toMatch(/^kw-chat-export-check-\d{4}-\d\d-\d\d\.html$/);
    expect(html.text).toContain(`&lt;script&gt;window.__pwned=1&lt;/script&gt; ${PHRASE}`);
    expect(html.text).not.toMatch(/<script/i);
    expect(html.text).toContain('Zoë Export-Tester');
    await expect(page.getByTestId('export-note')).toContainText(`Downloaded ${html.name}.`);

    await page.getByTestId('export-conversation').click();
    const json = await downloaded(page, () => page.getByTestId('export-json').click());
    const parsed = JSON.parse(json.text) as {
      conversations: Array<{ interactionId: string; messages: Array<{ text: string }> }>;
    };
    expect(parsed.conversations).toHaveLength(1);
    expect(parsed.conversations[0]?.interactionId).toBe(outcome.interactionId);
    expect(parsed.conversations[0]?.messages.map((m) => m.text)).toContain(HOSTILE);

    await page.getByRole('button', { name: 'Settings' }).click();
    const all = await downloaded(page, () => page.getByTestId('export-all-json').click());
    expect(all.name).toMatch(/^kw-history-\d{4}-\d\d-\d\d\.json$/);
    expect(all.text).toContain(PHRASE);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();

    // A restart with the same key reads the encrypted history back.
    await world.restartKw();
    await world.openMain(page);
    await expect(page.getByTestId('conversation-item').filter({ hasText: 'Export check' })).toBeVisible();
  });
});
