/**
 * `npm start`: the lab (SIP server + router with the example config) and the
 * KW Desktop signed in as the lab's kw1. With an Electron binary installed it
 * runs the Electron app; without one it says so in one line and serves the
 * same UI through the browser harness, printing the URLs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { consoleSink, createLogger } from '../core/log.js';
import { parseLabArgs, startLab } from '../../lab/cli.js';
import { pageLinks } from '../../lab/web/server.js';
import { startHarnessKw } from './compose.js';
import { installedElectronBinary } from './electron-binary.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5080' },
    'ui-port': { type: 'string', default: '5173' },
    user: { type: 'string', default: 'kw1' },
    browser: { type: 'boolean', default: false },
  },
});

const out = process.stdout;
const logger = createLogger(consoleSink(process.stderr), 'warn', 'start');
const labOptions = parseLabArgs(['--port', values.port]);
if (labOptions === 'help') process.exit(0);
const lab = await startLab(labOptions, logger.child('lab'));
out.write(
  `Lab: SIP server ${lab.sip.url}, routing points ${lab.router?.routingPoints.join(', ') ?? 'none'}\n`,
);

const uri = `sip:${values.user}@${lab.sip.domain}`;
const electron = values.browser ? undefined : installedElectronBinary();
let stopKw: () => Promise<void>;
if (electron) {
  out.write(`KW Desktop (Electron) signing in as ${uri}\n`);
  // The app's default settings are the lab's kw1 on ws://127.0.0.1:5080.
  const child = spawn(electron, ['dist/main/index.cjs'], {
    stdio: 'inherit',
  });
  stopKw = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
} else {
  out.write(
    'No Electron binary is installed here (its download host is unreachable): opening the KW Desktop in the browser harness instead.\n',
  );
  mkdirSync('.lab-run', { recursive: true });
  const kw = await startHarnessKw({
    account: { uri, displayName: values.user === 'kw1' ? 'Kim Expert' : `Expert ${values.user}` },
    servers: [lab.sip.url],
    historyDir: `.lab-run/history-${values.user}`,
    logger: logger.child('kw'),
    port: Number(values['ui-port']),
  });
  out.write(
    `KW Desktop signed in as ${uri}\n  main window:   ${kw.harness.mainUrl}  (keep it open: it carries the call audio)\n  preview popup: ${kw.harness.previewUrl}\n  call popup:    ${kw.harness.url}/call.html\n`,
  );
  stopKw = () => kw.close();
}
if (lab.web) {
  const links = pageLinks({
    webUrl: lab.web.url,
    sipUrl: lab.sip.url,
    domain: lab.sip.domain,
    routingPoint: lab.router?.config.routingPoints[0]?.uri,
  });
  out.write(`Play the agent:    ${links.agent}\nPlay the customer: ${links.customer}\n`);
}
out.write(
  'Make a preview pop without the agent desk: npm run agent -- "need help with invoice 42"\nCtrl-C stops everything.\n',
);

let stopping = false;
const stop = (): void => {
  if (stopping) process.exit(1);
  stopping = true;
  out.write('stopping…\n');
  void stopKw()
    .then(() => lab.close())
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
