/**
 * The signed-in session, kept in localStorage and exposed as an external store (useSyncExternalStore).
 * The store is the one place that decides a session is over: on expiry, on a 401, or on logout.
 */
import type { Session } from '../api/types';

const STORAGE_KEY = 'tributary.session';
const NOTICE_KEY = 'tributary.notice';

type Listener = () => void;
const listeners = new Set<Listener>();
// undefined: not read yet (server render, first hydration pass); null: signed out.
let current: Session | null | undefined;

/** Seconds-since-epoch `exp` of a JWT, or null when it has none or cannot be read. */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

export function isExpired(token: string, now = Date.now()): boolean {
  const exp = tokenExpiry(token);
  return exp !== null && exp * 1000 <= now;
}

function load(): Session | null {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s?.token || !s.user) return null;
    if (isExpired(s.token)) {
      window.localStorage.removeItem(STORAGE_KEY);
      setNotice('Your session expired. Please sign in again.');
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

function emit() {
  for (const l of listeners) l();
}

export const sessionStore = {
  subscribe(listener: Listener) {
    listeners.add(listener);
    const onStorage = (e: StorageEvent) => {
      // Another tab signed in or out.
      if (e.key === STORAGE_KEY) {
        current = load();
        emit();
      }
    };
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('storage', onStorage);
    };
  },
  getSnapshot(): Session | null {
    if (current === undefined) current = load();
    return current;
  },
  getServerSnapshot(): Session | null | undefined {
    return undefined;
  },
  token(): string | null {
    return sessionStore.getSnapshot()?.token ?? null;
  },
  signIn(session: Session) {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    current = session;
    emit();
  },
  signOut(notice?: string) {
    window.localStorage.removeItem(STORAGE_KEY);
    if (notice) setNotice(notice);
    current = null;
    emit();
  },
};

function setNotice(message: string) {
  try {
    window.sessionStorage.setItem(NOTICE_KEY, message);
  } catch {
    /* storage unavailable: the notice is a nicety */
  }
}

/** A one-time message for the login page ("your session expired"). */
export function takeNotice(): string | null {
  try {
    const msg = window.sessionStorage.getItem(NOTICE_KEY);
    if (msg) window.sessionStorage.removeItem(NOTICE_KEY);
    return msg;
  } catch {
    return null;
  }
}
