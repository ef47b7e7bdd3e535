import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { CreatedInvitation, Invitation, Page, Role, TeamMember } from './types';

/** The workspace's users (admins only: the queries wait for `enabled`). */
export function useMembers(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: keys.members,
    queryFn: ({ pageParam, signal }) => api<Page<TeamMember>>('/users', { query: { limit: 100, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function useChangeRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) => api<TeamMember>(`/users/${id}`, { method: 'PATCH', body: { role } }),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.members }),
  });
}

export function useRemoveMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/users/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.members }),
  });
}

/** Invitations not yet accepted. */
export function useInvitations(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: keys.invitations,
    queryFn: ({ pageParam, signal }) => api<Page<Invitation>>('/invitations', { query: { limit: 100, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function useInvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) => api<CreatedInvitation>('/invitations', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.invitations }),
  });
}

export function useRevokeInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/invitations/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.invitations }),
  });
}

/** The link an invitee opens: the token travels in the query string of this dashboard's own page. */
export function invitationLink(token: string, origin = window.location.origin): string {
  return `${origin}/accept-invitation?token=${encodeURIComponent(token)}`;
}
