/**
 * Quotes a word for a POSIX shell: words of safe characters stay as they are, anything else goes into
 * single quotes (a single quote inside becomes '\''). The one quoting rule for every command Fieldbench
 * sends to a node, in both the edge and the network areas.
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
