export interface BackoffPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with full jitter: a random delay in [base·2^(n-1) / 2, base·2^(n-1)], capped. */
export function backoffDelay(policy: Pick<BackoffPolicy, 'baseMs' | 'maxMs'>, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
