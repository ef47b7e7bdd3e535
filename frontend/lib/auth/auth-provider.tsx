'use client';
import * as React from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { sessionStore, tokenExpiry } from './session-store';
import type { Session } from '../api/types';

type AuthState =
  | { status: 'loading'; session: null }
  | { status: 'authenticated'; session: Session }
  | { status: 'anonymous'; session: null };

interface AuthContextValue {
  state: AuthState;
  signIn(session: Session): void;
  signOut(notice?: string): void;
}

const AuthContext = React.createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: React.ReactNode }) {
  const snapshot = React.useSyncExternalStore(sessionStore.subscribe, sessionStore.getSnapshot, sessionStore.getServerSnapshot);
  const qc = useQueryClient();

  // Sign out when the token's `exp` passes, even if no request is made in between.
  const token = snapshot?.token;
  React.useEffect(() => {
    if (!token) return;
    const exp = tokenExpiry(token);
    if (exp === null) return;
    const ms = exp * 1000 - Date.now();
    const t = window.setTimeout(() => sessionStore.signOut('Your session expired. Please sign in again.'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    return () => window.clearTimeout(t);
  }, [token]);

  // Another user's cached data must not survive a sign-out (only on the change from a session to
  // none: clearing on a first anonymous visit would cancel the login page's own queries).
  const hadSession = React.useRef(false);
  React.useEffect(() => {
    if (snapshot) hadSession.current = true;
    else if (snapshot === null && hadSession.current) {
      hadSession.current = false;
      qc.clear();
    }
  }, [snapshot, qc]);

  const value = React.useMemo<AuthContextValue>(() => {
    const state: AuthState =
      snapshot === undefined
        ? { status: 'loading', session: null }
        : snapshot === null
          ? { status: 'anonymous', session: null }
          : { status: 'authenticated', session: snapshot };
    return { state, signIn: sessionStore.signIn, signOut: sessionStore.signOut };
  }, [snapshot]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth() {
  const ctx = React.useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside <AuthProvider>');
  return ctx;
}

/** The signed-in user, or null; role checks in the dashboard read it (the api enforces the same role from the token). */
export function useCurrentUser() {
  return useAuth().state.session?.user ?? null;
}
