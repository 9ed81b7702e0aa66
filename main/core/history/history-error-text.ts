/** Why history cannot be written, as the sentence the user sees (never an error code alone). */

const REASONS: Record<string, (dir: string) => string> = {
  EACCES: (dir) => `the folder ${dir} is read-only`,
  EPERM: (dir) => `the folder ${dir} is read-only`,
  EROFS: (dir) => `the folder ${dir} is on a read-only disk`,
  ENOTDIR: (dir) => `the folder ${dir} cannot be created because a file is in its way`,
  EEXIST: (dir) => `the folder ${dir} cannot be created because a file is in its way`,
  ENOSPC: (dir) => `the disk that holds ${dir} is full`,
  EDQUOT: (dir) => `your disk quota for ${dir} is used up`,
  ENOENT: (dir) => `the folder ${dir} has disappeared`,
  EMFILE: () => 'too many files are open',
  // sealed-history-files.ts: no key can be kept (no system keystore), and history is never written in plain text.
  KW_NO_HISTORY_KEY: () => 'this computer offers no safe place for the key that encrypts it',
  ENFILE: () => 'too many files are open',
};

export function historyErrorText(error: unknown, dir: string): string {
  const code = errorCode(error);
  const reason =
    (code !== undefined ? REASONS[code]?.(dir) : undefined) ??
    `the folder ${dir} cannot be written to (error ${code ?? 'unknown'})`;
  return `History can't be saved: ${reason}. Chats are kept until you quit.`;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
