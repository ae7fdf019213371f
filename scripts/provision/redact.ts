/**
 * Keeps credentials out of every line the engine writes. Each secret the engine reads (API key,
 * password, the Basic token derived from them, resolved connector secrets) is registered here, and
 * every output sink passes its text through `redact()`.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would redact ordinary words; credentials are never that short.
    if (secret !== undefined && secret.length >= 4) this.#secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('<redacted>');
    return out;
  }
}

/** A place the engine writes human or machine output to (stdout/stderr in the CLI, buffers in tests). */
export interface Sink {
  write(text: string): void;
}

export function redactingSink(sink: Sink, redactor: Redactor): Sink {
  return { write: (text) => sink.write(redactor.redact(text)) };
}
