/**
 * SettingsStore on electron-store: the file is `{ schemaVersion, settings }`
 * (JSON schema in settings-migrations.ts), migrated on open with the numbered
 * migrations, validated field by field, written back when it changed. Never
 * holds the password (only the fields of StoredSettings are ever written).
 * The store object is injected (`KeyValueFile`): the app passes an
 * electron-store instance, tests a map.
 */
import type { SettingsStore, StoredSettings } from '../app/ports.js';
import type { Logger } from '../core/log.js';
import { migrateSettings, SETTINGS_VERSION, toStoredSettings } from './settings-migrations.js';

/** The part of electron-store used here. */
export interface KeyValueFile {
  get(key: 'schemaVersion' | 'settings'): unknown;
  set(values: { schemaVersion: number; settings: StoredSettings }): void;
}

export class ElectronSettingsStore implements SettingsStore {
  private current: StoredSettings;

  constructor(
    private readonly file: KeyValueFile,
    private readonly logger: Logger,
  ) {
    const outcome = migrateSettings({
      schemaVersion: file.get('schemaVersion'),
      settings: file.get('settings'),
    });
    for (const problem of outcome.problems) logger.warn('settings', { problem });
    if (outcome.applied.length > 0)
      logger.info('settings migrated', {
        from: outcome.fromVersion,
        to: SETTINGS_VERSION,
        steps: outcome.applied,
      });
    this.current = outcome.settings;
    if (outcome.changed) this.write();
  }

  load(): StoredSettings {
    return this.current;
  }

  /** Validates, writes, and only then holds the new settings: a refused or failed save changes nothing. */
  save(settings: StoredSettings): void {
    const checked = toStoredSettings(settings);
    if (checked.problems.length > 0) {
      this.logger.warn('settings refused', { problems: checked.problems });
      const fields = checked.problems.map((p) => p.split(':')[0]).join(', ');
      throw new Error(`these settings are not valid: ${fields}`);
    }
    try {
      this.file.set({ schemaVersion: SETTINGS_VERSION, settings: checked.settings });
    } catch (error) {
      this.logger.error('settings file not written', {
        error: error instanceof Error ? error.message : String(error),
      });
      throw new Error('the settings file could not be written', { cause: error });
    }
    this.current = checked.settings;
  }

  private write(): void {
    this.file.set({ schemaVersion: SETTINGS_VERSION, settings: this.current });
  }
}
