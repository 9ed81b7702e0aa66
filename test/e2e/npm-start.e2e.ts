/**
 * e2e: `npm start` as a newcomer runs it: a child process (its builds
 * included, the browser harness, ephemeral ports), and the links it prints
 * opened exactly as printed in Debian's Chromium. The customer page calls the
 * agent desk, the agent answers and asks an expert, the KW accepts in the
 * harness's preview popup, and the agent's first message shows delivered.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../../playwright.config.js';

/**
 * No fake microphone: the desk must work on a machine without one. Autoplay
 * and host candidates as in the other lab page tests (agent-desk.e2e.ts).
 */
const MEDIA_ARGS = [
  '--autoplay-policy=no-user-gesture-required',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Where `npm start` keeps kw1's history: what this test adds there is removed afterwards. */
const HISTORY = '.lab-run/history-kw1';

/** Removes what appeared in the history folder since `before` (this run's conversations and missed requests). */
function removeNewHistory(before: ReadonlySet<string>): void {
  for (const path of historyFiles()) if (!before.has(path)) rmSync(path, { force: true });
}

function historyFiles(): Set<string> {
  if (!existsSync(HISTORY)) return new Set();
  const files = readdirSync(HISTORY, { recursive: true, withFileTypes: true });
  return new Set(files.filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name)));
}

/** What `npm start` printed, and how to stop it as Ctrl-C would. */
interface Started {
  readonly agentLink: string;
  readonly customerLink: string;
  readonly previewUrl: string;
  readonly output: () => string;
  stop(): Promise<number | null>;
}

/** `npm start -- --port 0 --web-port 0 --ui-port 0 --browser` in a process of its own (only its PID is signalled). */
async function npmStart(): Promise<Started> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'main/harness/start.ts',
      '--port',
      '0',
      '--web-port',
      '0',
      '--ui-port',
      '0',
      '--browser',
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return exited;
  };
  try {
    await expect.poll(() => output, { timeout: 60_000 }).toContain('Ctrl-C stops everything.');
  } catch (error) {
    await stop();
    throw new Error(`npm start did not come up:\n${output}`, { cause: error });
  }
  const line = (label: string): string => {
    const found = new RegExp(`${label}\\s+(\\S+)`).exec(output)?.[1];
    if (!found) throw new Error(`npm start printed no "${label}" line:\n${output}`);
    return found;
  };
  return {
    agentLink: line('Play the agent:'),
    customerLink: line('Play the customer:'),
    previewUrl: line('preview popup:'),
    output: () => output,
    stop,
  };
}

const test = base.extend<{ started: Started }>({
  launchOptions: async ({ launchOptions }, use) => {
    await use({ ...launchOptions, args: [...CHROMIUM_ARGS, ...MEDIA_ARGS] });
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures name their dependencies by destructuring
  started: async ({}, use, testInfo) => {
    const before = historyFiles();
    const started = await npmStart();
    try {
      await use(started);
    } finally {
      const code = await started.stop();
      removeNewHistory(before);
      await testInfo.attach('npm start output', { body: started.output(), contentType: 'text/plain' });
      expect(code, started.output()).toBe(0);
    }
  },
});

async function openAsPrinted(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await expect(page.getByTestId('reg-state')).toHaveAttribute('data-state', 'registered');
}

test('the agent desk link npm start prints works as printed: call, ask, the KW accepts, delivered', async ({
  started,
  browser,
  context,
}) => {
  test.setTimeout(180_000);
  const agent = await context.newPage();
  const popup = await context.newPage();
  const customerContext = await browser.newContext();
  const customer = await customerContext.newPage();
  await openAsPrinted(agent, started.agentLink);
  await openAsPrinted(customer, started.customerLink);
  await popup.goto(started.previewUrl);

  await expect(agent.getByTestId('rp-uri')).toHaveValue('sip:billing-experts@lab.local');
  await customer.getByTestId('call-button').click();
  await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'incoming');
  await agent.getByTestId('answer-call').click();
  await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'active');
  // No microphone in this browser (no fake device): the desk says so and sends its test tone instead.
  await expect(agent.getByTestId('voice-source')).toHaveText(/^Your voice: a test tone at 660 Hz, because /);
  for (const [page, testId] of [
    [agent, 'customer-hearing-440'],
    [customer, 'hearing-660'],
  ] as const)
    await expect(page.getByTestId(testId)).toHaveAttribute('data-heard', 'yes', { timeout: 15_000 });

  await agent.getByTestId('ask-text').fill('Need help with invoice 42');
  await agent.getByTestId('ask-button').click();
  const card = popup.getByTestId('preview-card');
  await expect(card).toContainText('Need help with invoice 42', { timeout: 40_000 });
  const first = agent.getByTestId('chat-message').first();
  await expect(first).toHaveAttribute('data-delivery', 'sent');
  await popup.getByTestId('accept').click();
  await expect(agent.getByTestId('expert-state')).toHaveAttribute('data-state', 'routed');
  await expect(first).toHaveAttribute('data-delivery', 'delivered');
  await customerContext.close();
});
