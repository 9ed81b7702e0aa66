import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The fuse names electron-builder knows, read from its own schema so a new
// fuse in an electron-builder update makes this test ask for a decision.
const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as {
  appId?: string;
  electronFuses?: Record<string, boolean>;
  protocols?: Array<{ schemes: string[] }>;
  win?: { target: string[] };
  mac?: { target: string[]; extendInfo?: Record<string, string> };
  linux?: { target: string[] };
};

describe('electron-builder.yml', () => {
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

  it('has the app id, the sip:/tel: protocols and a target per platform', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.protocols?.flatMap((p) => p.schemes).sort()).toEqual(['sip', 'tel']);
    expect(config.win?.target).toContain('nsis');
    expect(config.mac?.target).toContain('dmg');
    expect(config.mac?.extendInfo?.NSMicrophoneUsageDescription).toBeTruthy();
    expect(config.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
  });
});
