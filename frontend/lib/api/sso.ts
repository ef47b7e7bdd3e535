import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuthOptions, SsoConfigInput, SsoSettings } from '@tributary/contracts/sso';
import { api, apiUrl } from './client';

export type { AuthOptions, SsoConfig, SsoConfigInput, SsoSettings } from '@tributary/contracts/sso';

const ssoKey = ['sso'] as const;

/** The workspace's identity provider and the callback URL to register at it (admins only). */
export function useSsoSettings(enabled: boolean) {
  return useQuery({ queryKey: ssoKey, queryFn: ({ signal }) => api<SsoSettings>('/sso', { signal }), enabled });
}

export function useSaveSso() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SsoConfigInput) => api<SsoSettings>('/sso', { method: 'PUT', body }),
    onSuccess: (data) => qc.setQueryData(ssoKey, data),
  });
}

export function useRemoveSso() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('/sso', { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ssoKey }),
  });
}

/** How an email signs in (`none`, `available`, `required`), asked by the login page. */
export function ssoModeOf(email: string): Promise<AuthOptions> {
  return api<AuthOptions>('/auth/options', { query: { email }, auth: false });
}

/** Where the browser goes to sign in with SSO: the api sends it on to the identity provider, and back here. */
export function ssoStartUrl(email: string, origin = window.location.origin): string {
  return apiUrl('/auth/sso/start', { email, returnTo: origin });
}
