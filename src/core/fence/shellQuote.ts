// POSIX shell quoting: the one place a word becomes shell text. Anything outside a small safe set
// goes in single quotes, where the shell interprets nothing (not `$`, not backslashes, not
// newlines); a single quote itself is closed, escaped and reopened.

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** One word as shell text that the shell reads back as exactly that word. */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line that runs exactly that argv. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
