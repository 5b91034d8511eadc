/**
 * Within one turn the machine asks about the same message several times: a guard, then the action
 * it guards, then the profile update. The runtime runs each turn inside `inTurn`; there, answers
 * about a message are kept and handed out again, and they are dropped when the turn ends, so nothing
 * the user wrote outlives it (a deletion request included). Answers are frozen, in a turn or not,
 * so that no caller can change what the next one gets.
 */
let scope: Map<string, unknown> | undefined;

export function inTurn<T>(run: () => T): T {
  const outer = scope;
  scope = new Map();
  try {
    return run();
  } finally {
    scope = outer;
  }
}

export function rememberInTurn<T>(key: string, compute: () => T): T {
  if (scope?.has(key)) return scope.get(key) as T;
  const value = deepFreeze(compute());
  scope?.set(key, value);
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
