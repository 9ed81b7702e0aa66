import { readFileSync } from 'node:fs';
import type { Configuration } from 'app-builder-lib';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The fuse names electron-builder knows, read from its own schema so a new
// fuse in an electron-builder update makes this test ask for a decision.
const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};
const text = readFileSync('electron-builder.yml', 'utf8');
const config = parse(text) as {
  appId?: string;
  electronFuses?: Record<string, boolean>;
  protocols?: Array<{ schemes: string[] }>;
  publish?: { provider: string; url: string };
  win?: { target: string[] };
  nsis?: { oneClick?: boolean; perMachine?: boolean };
  msi?: { perMachine?: boolean; publish?: unknown };
  mac?: { target: string[]; extendInfo?: Record<string, string> };
  linux?: { target: string[] };
};

/** A fresh copy each time: the validator coerces types in place. */
function fresh(): Configuration {
  return parse(text) as Configuration;
}

/** electron-builder's own check, the one `electron-builder` runs before packing. */
function validate(candidate: Configuration): Promise<void> {
  return validateConfiguration(candidate, new DebugLogger(false));
}

describe('electron-builder.yml', () => {
  // Compiling electron-builder's schema takes seconds on a busy machine.
  it("passes electron-builder's own schema validation", { timeout: 30_000 }, async () => {
    await expect(validate(fresh())).resolves.toBeUndefined();
  });

  it('would fail that validation with an unknown key or a wrong type', { timeout: 30_000 }, async () => {
    const unknownKey = { ...fresh(), nsis: { ...fresh().nsis, perUser: true } } as Configuration;
    await expect(validate(unknownKey)).rejects.toThrow(/configuration\.nsis/);
    const wrongType = { ...fresh(), asar: 'yes please' } as unknown as Configuration;
    await expect(validate(wrongType)).rejects.toThrow(/configuration\.asar/);
  });

  it('lists every fuse electron-builder knows', () => {
    const known = Object.keys(schema.definitions.FuseOptionsV1.properties).sort();
    expect(Object.keys(config.electronFuses ?? {}).sort()).toEqual(known);
  });

  it('switches off running as Node, NODE_OPTIONS and the inspector, and checks asar integrity', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('has the app id, the kwdesk:/sip:/tel: protocols and the targets per platform', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.protocols?.flatMap((p) => p.schemes).sort()).toEqual(['kwdesk', 'sip', 'tel']);
    expect(config.win?.target).toEqual(['nsis', 'msi']);
    expect(config.mac?.target).toEqual(['dmg', 'zip']);
    expect(config.mac?.extendInfo?.NSMicrophoneUsageDescription).toBeTruthy();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
  });

  it('installs NSIS per user and MSI per machine, the MSI without update files', () => {
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false });
    expect(config.msi?.perMachine).toBe(true);
    expect(config.msi).toHaveProperty('publish', null);
  });

  it('publishes to a generic feed whose placeholder URL can never resolve', () => {
    expect(config.publish?.provider).toBe('generic');
    expect(new URL(config.publish?.url ?? '').hostname).toMatch(/\.invalid$/);
  });
});
