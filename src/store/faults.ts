/**
 * Is this error the store being unusable for now (disk full, I/O error, file gone or locked) rather
 * than something wrong with one event? Such a failure says nothing about the event: it must not
 * count towards parking it, and it is tried again once the store is back.
 */
export function isStoreFault(err: unknown): boolean {
  if (err instanceof Error && err.name === 'StoreUnavailableError') return true;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOTADB|CORRUPT)/.test(code);
}
