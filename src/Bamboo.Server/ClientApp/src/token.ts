// The bearer token lives in sessionStorage: it survives a reload but not the tab, and no other site sees it.

const Key = "bamboo.token";
const listeners = new Set<() => void>();

export function getToken(): string {
  try {
    return sessionStorage.getItem(Key) ?? "";
  } catch {
    return "";
  }
}

export function setToken(token: string): void {
  const trimmed = token.trim();
  if (trimmed) {
    sessionStorage.setItem(Key, trimmed);
  } else {
    sessionStorage.removeItem(Key);
  }
  for (const listener of listeners) {
    listener();
  }
}

/** Calls back whenever the token changes, so the page can load again with it. */
export function onTokenChange(listener: () => void): void {
  listeners.add(listener);
}
