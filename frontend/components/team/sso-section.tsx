'use client';
import * as React from 'react';
import { KeyRound } from 'lucide-react';
import { ApiError } from '@/lib/api/client';
import { useRemoveSso, useSaveSso, useSsoSettings, type SsoConfig } from '@/lib/api/sso';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { Switch } from '@/components/ui/switch';
import { useToast } from '@/components/ui/toast';
import { ConfirmAction } from '@/components/common/confirm-action';
import { CopyButton } from '@/components/common/copy-button';
import { SecretInput } from '@/components/common/secret-input';
import { ErrorState, InlineError, ListSkeleton } from '@/components/common/states';

interface Draft {
  issuer: string;
  clientId: string;
  clientSecret: string;
  domains: string;
  defaultRole: 'viewer' | 'editor';
  ssoOnly: boolean;
  enabled: boolean;
}

function draftOf(config: SsoConfig | null, email: string | undefined): Draft {
  return {
    issuer: config?.issuer ?? '',
    clientId: config?.clientId ?? '',
    clientSecret: '',
    domains: config?.allowedDomains.join(', ') ?? (email ? email.slice(email.lastIndexOf('@') + 1) : ''),
    defaultRole: config?.defaultRole ?? 'viewer',
    ssoOnly: config?.ssoOnly ?? false,
    enabled: config?.enabled ?? true,
  };
}

/** Single sign-on with OpenID Connect: the workspace's identity provider (admins; the api checks the issuer by discovery). */
export function SsoSection() {
  const user = useCurrentUser();
  const settings = useSsoSettings(user?.role === 'admin');
  const save = useSaveSso();
  const remove = useRemoveSso();
  const toast = useToast();
  const config = settings.data?.config ?? null;
  const [draft, setDraft] = React.useState<Draft>(() => draftOf(null, user?.email));
  const loadedAt = config?.updatedAt ?? null;
  React.useEffect(() => {
    if (settings.data) setDraft(draftOf(settings.data.config, user?.email));
    // Reset the form when the stored configuration changes, not on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loadedAt, settings.isSuccess]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const fieldError = (path: string) => (save.error instanceof ApiError ? save.error.details.find((d) => d.path === path || d.path.startsWith(`${path}.`))?.message : undefined);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    save.mutate(
      {
        issuer: draft.issuer.trim(),
        clientId: draft.clientId.trim(),
        ...(draft.clientSecret ? { clientSecret: draft.clientSecret } : {}),
        allowedDomains: draft.domains
          .split(/[\s,]+/)
          .map((d) => d.trim())
          .filter(Boolean),
        defaultRole: draft.defaultRole,
        ssoOnly: draft.ssoOnly,
        enabled: draft.enabled,
      },
      {
        onSuccess: () => toast({ title: 'Single sign-on saved', description: 'The identity provider answered its discovery document.', variant: 'success' }),
      },
    );
  }

  return (
    <Card data-testid="sso-section">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <KeyRound className="size-4" aria-hidden /> Single sign-on
          {config && <Badge variant={config.enabled ? 'default' : 'secondary'}>{config.enabled ? (config.ssoOnly ? 'SSO only' : 'on') : 'off'}</Badge>}
        </CardTitle>
        <CardDescription>
          Sign in with your OpenID Connect provider (Keycloak, Okta, Google, Microsoft Entra ID…). People with a verified email in an allowed domain get an account on
          their first sign-in.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {settings.isLoading ? (
          <ListSkeleton rows={3} />
        ) : settings.error ? (
          <ErrorState compact error={settings.error} onRetry={() => void settings.refetch()} />
        ) : (
          <form className="flex flex-col gap-4" onSubmit={submit} noValidate data-testid="sso-form">
            <div className="flex flex-col gap-1.5">
              <p className="text-sm font-medium">Redirect URI to register at the provider</p>
              <div className="flex items-center gap-2">
                <code className="min-w-0 flex-1 truncate rounded-md border bg-muted px-2 py-1.5 text-xs" data-testid="sso-callback-url">
                  {settings.data?.callbackUrl}
                </code>
                <CopyButton value={settings.data?.callbackUrl ?? ''} label="Copy" testId="sso-callback-copy" />
              </div>
            </div>
            <Field id="sso-issuer" label="Issuer URL" required error={fieldError('issuer')} description="Its /.well-known/openid-configuration is read when you save.">
              {(aria) => <Input {...aria} value={draft.issuer} onChange={(e) => set('issuer', e.target.value)} placeholder="https://idp.example.com/realms/acme" data-testid="sso-issuer" />}
            </Field>
            <Field id="sso-client-id" label="Client ID" required error={fieldError('clientId')}>
              {(aria) => <Input {...aria} value={draft.clientId} onChange={(e) => set('clientId', e.target.value)} data-testid="sso-client-id" />}
            </Field>
            <Field
              id="sso-client-secret"
              label="Client secret"
              required={!config}
              error={fieldError('clientSecret')}
              description={config ? 'Stored encrypted and never shown; leave empty to keep it.' : 'Stored encrypted and never shown again.'}
            >
              {(aria) => <SecretInput {...aria} value={draft.clientSecret} onChange={(e) => set('clientSecret', e.target.value)} placeholder={config ? '••••••••' : ''} data-testid="sso-client-secret" />}
            </Field>
            <Field id="sso-domains" label="Allowed email domains" required error={fieldError('allowedDomains')} description="Comma separated, e.g. acme.com, acme.co.uk.">
              {(aria) => <Input {...aria} value={draft.domains} onChange={(e) => set('domains', e.target.value)} data-testid="sso-domains" />}
            </Field>
            <Field id="sso-role" label="Role of new users" description="Pending invitations give their own role instead.">
              {(aria) => (
                <NativeSelect {...aria} value={draft.defaultRole} onChange={(e) => set('defaultRole', e.target.value as Draft['defaultRole'])} data-testid="sso-default-role">
                  <option value="viewer">Viewer</option>
                  <option value="editor">Editor</option>
                </NativeSelect>
              )}
            </Field>
            <label className="flex items-start gap-3 text-sm">
              <Switch checked={draft.enabled} onCheckedChange={(v) => set('enabled', v)} data-testid="sso-enabled" />
              <span>Enabled</span>
            </label>
            <label className="flex items-start gap-3 text-sm">
              <Switch checked={draft.ssoOnly} onCheckedChange={(v) => set('ssoOnly', v)} data-testid="sso-only" />
              <span>
                SSO only
                <span className="block text-xs text-muted-foreground">Passwords stop working for this workspace (invitations too). Admins turn it off by signing in with SSO.</span>
              </span>
            </label>
            {fieldError('ssoOnly') && <p className="text-xs text-destructive">{fieldError('ssoOnly')}</p>}
            <InlineError error={save.error} />
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={save.isPending} data-testid="sso-save">
                {save.isPending ? 'Checking the provider…' : 'Save'}
              </Button>
              {config && (
                <ConfirmAction
                  trigger={
                    <Button type="button" variant="ghost" data-testid="sso-remove">
                      Remove
                    </Button>
                  }
                  title="Remove single sign-on?"
                  description="Members sign in with their passwords again; people who only ever used SSO have none and must reset theirs with an admin."
                  confirmLabel="Remove"
                  onConfirm={() =>
                    remove.mutate(undefined, {
                      onSuccess: () => toast({ title: 'Single sign-on removed' }),
                      onError: (err) => toast({ title: 'Could not remove single sign-on', description: err.message, variant: 'error' }),
                    })
                  }
                />
              )}
            </div>
          </form>
        )}
      </CardContent>
    </Card>
  );
}
