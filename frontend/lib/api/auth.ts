import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Session, User } from './types';

export function useAuthOptions() {
  return useQuery({
    queryKey: keys.authOptions,
    queryFn: ({ signal }) => api<{ devMode: boolean }>('/auth/options', { auth: false, signal }),
    staleTime: 60_000,
    retry: 1,
  });
}

export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: keys.me,
    queryFn: ({ signal }) => api<{ user: User }>('/auth/me', { signal }),
    enabled,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function useLogin() {
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => api<Session>('/auth/login', { method: 'POST', body, auth: false }),
  });
}

export function useRegister() {
  return useMutation({
    mutationFn: (body: { email: string; password: string; name?: string; organization?: string }) =>
      api<Session>('/auth/register', { method: 'POST', body, auth: false }),
  });
}

/** Sets the invitee's password and answers a session, like register (the token is from the invitation link). */
export function useAcceptInvitation() {
  return useMutation({
    mutationFn: (body: { token: string; password: string; name?: string }) => api<Session>('/auth/accept-invitation', { method: 'POST', body, auth: false }),
  });
}

export function useDevLogin() {
  return useMutation({
    mutationFn: () => api<Session>('/auth/dev-login', { method: 'POST', body: {}, auth: false }),
  });
}
