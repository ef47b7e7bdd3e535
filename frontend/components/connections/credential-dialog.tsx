'use client';
import * as React from 'react';
import { useForm } from 'react-hook-form';
import { ExternalLink, Loader2, Lock } from 'lucide-react';
import { OAUTH2_REDIRECT_URI, useAuthorizeCredential, useCreateCredential, type CreateCredentialInput, type OAuth2Grant, type OAuth2Input } from '@/lib/api/credentials';
import { ApiError, errorMessage, type ErrorDetail } from '@/lib/api/client';
import type { Connector, Credential } from '@/lib/api/types';
import { isSecretField, schemaFields, type SchemaField } from '@/lib/json-schema';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/native-select';
import { Textarea } from '@/components/ui/textarea';
import { useToast } from '@/components/ui/toast';
import { CopyButton } from '@/components/common/copy-button';
import { InlineError } from '@/components/common/states';
import { SecretInput } from '@/components/common/secret-input';

type Method = 'oauth2' | 'fields';

interface OAuth2Values {
  grant: OAuth2Grant | '';
  clientId: string;
  clientSecret: string;
  /** Space separated. */
  scopes: string;
  clientAuth: 'basic' | 'post';
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string;
}
type OAuth2Key = keyof OAuth2Values;

interface Values {
  connector: string;
  name: string;
  method: Method;
  data: Record<string, string | boolean>;
  raw: string;
  oauth2: OAuth2Values;
}

const GRANT_LABELS: Record<OAuth2Grant, string> = {
  authorization_code: 'Authorization code: a person approves access at the provider',
  client_credentials: 'Client credentials: server to server, nobody approves',
};

function oauth2Defaults(connector: Connector | undefined): OAuth2Values {
  return {
    grant: connector?.oauth2?.grants[0] ?? '',
    clientId: '',
    clientSecret: '',
    scopes: connector?.oauth2?.defaultScopes.join(' ') ?? '',
    clientAuth: 'basic',
    authorizationUrl: '',
    tokenUrl: '',
    revocationUrl: '',
  };
}

/**
 * The typed fields stay the default where a connector has them (what its users had so far); OAuth2
 * is offered first, as the recommended way, and is the only one for a connector without fields.
 */
function defaultMethod(connector: Connector | undefined): Method {
  return connector?.oauth2 && !connector.credentials ? 'oauth2' : 'fields';
}

/** The OAuth2 fields the form shows for this connector and grant (api errors on others are listed apart). */
function visibleOAuth2Fields(connector: Connector | undefined, grant: OAuth2Grant | ''): Set<OAuth2Key> {
  const shown = new Set<OAuth2Key>(['clientId', 'clientSecret', 'scopes', 'clientAuth']);
  const oauth = connector?.oauth2;
  if (!oauth) return shown;
  if (oauth.grants.length > 1) shown.add('grant');
  if (oauth.userEndpoints) {
    if (grant === 'authorization_code') shown.add('authorizationUrl');
    shown.add('tokenUrl');
    shown.add('revocationUrl');
  }
  return shown;
}

export function CredentialDialog({
  connectors,
  connector: fixedConnector,
  open,
  onOpenChange,
  onCreated,
  authorizeOnCreate = false,
}: {
  connectors: Connector[];
  /** Pin the connector (adding from a workflow step). */
  connector?: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  onCreated?(credential: Credential): void;
  /**
   * After creating an authorization-code OAuth2 connection, send the browser to the provider's
   * consent page at once (it comes back to this page). Off where leaving the page would lose work
   * (the workflow builder): the connection is then connected later from the Connections page.
   */
  authorizeOnCreate?: boolean;
}) {
  const eligible = connectors.filter((c) => c.credentials || c.oauth2);
  const create = useCreateCredential();
  const authorize = useAuthorizeCredential();
  const toast = useToast();
  const initial = (): Values => {
    const key = fixedConnector ?? eligible[0]?.key ?? '';
    const c = eligible.find((x) => x.key === key);
    return { connector: key, name: '', method: defaultMethod(c), data: {}, raw: '{}', oauth2: oauth2Defaults(c) };
  };
  const form = useForm<Values>({ defaultValues: initial() });
  const [unmapped, setUnmapped] = React.useState<ErrorDetail[]>([]);
  const [advanced, setAdvanced] = React.useState(false);
  const connectorKey = form.watch('connector');
  const connector = eligible.find((c) => c.key === connectorKey);
  const oauth = connector?.oauth2;
  const chosen = form.watch('method');
  const method: Method = oauth && (!connector?.credentials || chosen === 'oauth2') ? 'oauth2' : 'fields';
  const grant: OAuth2Grant | '' = form.watch('oauth2.grant') || oauth?.grants[0] || '';
  const shown = visibleOAuth2Fields(connector, grant);
  const fields = schemaFields(connector?.credentials);
  const opaque = !!connector?.credentials && fields.length === 0;
  const { errors } = form.formState;
  // Created, and on the way to the provider's consent page.
  const redirecting = authorize.isPending || authorize.isSuccess;

  React.useEffect(() => {
    if (open) {
      form.reset(initial());
      create.reset();
      authorize.reset();
      setUnmapped([]);
      setAdvanced(false);
    }
    // Reset only when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  function onConnectorChange(key: string) {
    const c = eligible.find((x) => x.key === key);
    form.setValue('data', {});
    form.setValue('method', defaultMethod(c));
    form.setValue('oauth2', oauth2Defaults(c));
    form.clearErrors();
    setUnmapped([]);
  }

  function fieldsBody(v: Values): Record<string, unknown> | undefined {
    if (opaque) {
      try {
        return JSON.parse(v.raw) as Record<string, unknown>;
      } catch {
        form.setError('raw', { message: 'Not valid JSON' }, { shouldFocus: true });
        return undefined;
      }
    }
    const data: Record<string, unknown> = {};
    for (const f of fields) {
      const val = v.data[f.name];
      if (f.kind === 'boolean') data[f.name] = val === true;
      else if (typeof val === 'string' && val !== '') data[f.name] = f.kind === 'number' && Number.isFinite(Number(val)) ? Number(val) : val;
      else if (f.required) {
        form.setError(`data.${f.name}`, { message: `${f.label} is required` }, { shouldFocus: true });
        return undefined;
      }
    }
    return data;
  }

  function oauth2Body(v: Values): OAuth2Input | undefined {
    const o = v.oauth2;
    const missing: [OAuth2Key, string][] = [];
    if (!o.clientId.trim()) missing.push(['clientId', 'Client ID is required']);
    if (!o.clientSecret) missing.push(['clientSecret', 'Client secret is required']);
    if (shown.has('authorizationUrl') && !o.authorizationUrl.trim()) missing.push(['authorizationUrl', 'The authorization URL is required for the authorization code grant']);
    if (shown.has('tokenUrl') && !o.tokenUrl.trim()) missing.push(['tokenUrl', 'The token URL is required']);
    missing.forEach(([key, message], i) => form.setError(`oauth2.${key}`, { message }, { shouldFocus: i === 0 }));
    if (missing.length || !grant) return undefined;
    const url = (key: 'authorizationUrl' | 'tokenUrl' | 'revocationUrl') => (shown.has(key) && o[key].trim() ? o[key].trim() : undefined);
    return {
      grant,
      clientId: o.clientId.trim(),
      clientSecret: o.clientSecret,
      scopes: o.scopes.split(/\s+/).filter(Boolean),
      clientAuth: o.clientAuth,
      authorizationUrl: url('authorizationUrl'),
      tokenUrl: url('tokenUrl'),
      revocationUrl: url('revocationUrl'),
    };
  }

  function showApiErrors(err: unknown) {
    if (!(err instanceof ApiError)) return;
    const rest: ErrorDetail[] = [];
    let first = true;
    const set = (path: Parameters<typeof form.setError>[0], message: string) => {
      form.setError(path, { message }, { shouldFocus: first });
      first = false;
    };
    for (const d of err.details) {
      if (d.path === 'name') set('name', d.message);
      else if (d.path === 'connector' && !fixedConnector) set('connector', d.message);
      else if (method === 'fields' && !opaque && d.path.startsWith('data.') && fields.some((f) => f.name === d.path.slice(5))) set(`data.${d.path.slice(5)}`, d.message);
      else if (method === 'oauth2' && d.path.startsWith('oauth2.') && shown.has(d.path.split('.')[1] as OAuth2Key)) {
        const key = d.path.split('.')[1] as OAuth2Key;
        if (key === 'clientAuth') setAdvanced(true);
        set(`oauth2.${key}`, d.message);
      } else rest.push(d);
    }
    setUnmapped(rest);
  }

  function onSubmit(v: Values) {
    setUnmapped([]);
    const name = v.name.trim() || connector?.name || v.connector;
    let body: CreateCredentialInput;
    if (method === 'oauth2') {
      const oauth2 = oauth2Body(v);
      if (!oauth2) return;
      body = { connector: v.connector, name, oauth2 };
    } else {
      const data = fieldsBody(v);
      if (!data) return;
      body = { connector: v.connector, name, data };
    }
    create.mutate(body, {
      onSuccess: (cred) => {
        onCreated?.(cred);
        if (authorizeOnCreate && cred.kind === 'oauth2' && cred.oauth2?.grant === 'authorization_code') {
          authorize.mutate(
            { id: cred.id },
            {
              onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
              onError: (e) => {
                onOpenChange(false);
                toast({ title: `“${cred.name}” is saved but not connected`, description: `${errorMessage(e)} Use Connect on its row to try again.`, variant: 'error' });
              },
            },
          );
          return;
        }
        onOpenChange(false);
      },
      onError: showApiErrors,
    });
  }

  function renderField(f: SchemaField) {
    const err = errors.data?.[f.name]?.message;
    const id = `credential-field-${f.name}`;
    return (
      <Field key={f.name} id={id} label={f.label} description={f.description} required={f.required} error={err}>
        {(aria) =>
          f.kind === 'boolean' ? (
            <input type="checkbox" className="size-4 accent-primary" data-testid={id} {...aria} {...form.register(`data.${f.name}`)} />
          ) : f.kind === 'enum' ? (
            <NativeSelect data-testid={id} {...aria} {...form.register(`data.${f.name}`)}>
              {f.options?.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </NativeSelect>
          ) : isSecretField(f) ? (
            <SecretInput data-testid={id} {...aria} {...form.register(`data.${f.name}`)} />
          ) : (
            <Input data-testid={id} type={f.kind === 'number' ? 'number' : f.format === 'uri' ? 'url' : 'text'} autoComplete="off" {...aria} {...form.register(`data.${f.name}`)} />
          )
        }
      </Field>
    );
  }

  function urlField(key: 'authorizationUrl' | 'tokenUrl' | 'revocationUrl', label: string, description: string, required: boolean) {
    const id = `credential-oauth2-${key}`;
    return (
      <Field id={id} label={label} description={description} required={required} error={errors.oauth2?.[key]?.message}>
        {(aria) => <Input data-testid={id} type="url" inputMode="url" autoComplete="off" spellCheck={false} placeholder="https://" {...aria} {...form.register(`oauth2.${key}`)} />}
      </Field>
    );
  }

  function renderOAuth2() {
    return (
      <>
        {shown.has('grant') && (
          <Field id="credential-oauth2-grant" label="Grant" error={errors.oauth2?.grant?.message}>
            {(aria) => (
              <NativeSelect data-testid="credential-oauth2-grant" {...aria} {...form.register('oauth2.grant')}>
                {oauth?.grants.map((g) => (
                  <option key={g} value={g}>
                    {GRANT_LABELS[g]}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
        )}
        {grant === 'authorization_code' && (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="credential-redirect-uri">Redirect URI</Label>
            <div className="flex gap-2">
              <Input
                id="credential-redirect-uri"
                readOnly
                value={OAUTH2_REDIRECT_URI}
                className="font-mono text-xs"
                aria-describedby="credential-redirect-uri-desc"
                data-testid="credential-redirect-uri"
                onFocus={(e) => e.currentTarget.select()}
              />
              <CopyButton value={OAUTH2_REDIRECT_URI} label="Copy URI" testId="credential-redirect-uri-copy" />
            </div>
            <p id="credential-redirect-uri-desc" className="text-xs text-muted-foreground">
              Register it as an allowed redirect (callback) URL of your OAuth2 app{oauth?.userEndpoints ? ' at the provider' : ` at ${connector?.name}`}; the provider sends you back through it after you approve.
            </p>
          </div>
        )}
        <fieldset className="flex flex-col gap-4 rounded-lg border bg-muted/30 p-4">
          <legend className="flex items-center gap-1.5 px-1 text-xs font-medium text-muted-foreground">
            <Lock className="size-3" aria-hidden /> OAuth2 app (the secret is write-only)
          </legend>
          <Field id="credential-oauth2-clientId" label="Client ID" required error={errors.oauth2?.clientId?.message}>
            {(aria) => <Input data-testid="credential-oauth2-clientId" autoComplete="off" spellCheck={false} {...aria} {...form.register('oauth2.clientId')} />}
          </Field>
          <Field id="credential-oauth2-clientSecret" label="Client secret" required error={errors.oauth2?.clientSecret?.message}>
            {(aria) => <SecretInput data-testid="credential-oauth2-clientSecret" {...aria} {...form.register('oauth2.clientSecret')} />}
          </Field>
          <Field
            id="credential-oauth2-scopes"
            label="Scopes"
            description={`Space separated.${oauth?.defaultScopes.length ? ` ${connector?.name} needs: ${oauth.defaultScopes.join(' ')}.` : ''}`}
            error={errors.oauth2?.scopes?.message}
          >
            {(aria) => <Input data-testid="credential-oauth2-scopes" autoComplete="off" spellCheck={false} className="font-mono" {...aria} {...form.register('oauth2.scopes')} />}
          </Field>
          {shown.has('authorizationUrl') && urlField('authorizationUrl', 'Authorization URL', 'The provider’s consent page (authorize endpoint).', true)}
          {shown.has('tokenUrl') && urlField('tokenUrl', 'Token URL', 'Where tokens are requested and refreshed.', true)}
          {shown.has('revocationUrl') && urlField('revocationUrl', 'Revocation URL', 'Optional: tokens are revoked there when the connection is deleted.', false)}
          <details className="rounded-md border bg-card px-3 py-2 text-sm" open={advanced} onToggle={(e) => setAdvanced(e.currentTarget.open)}>
            <summary className="cursor-pointer font-medium text-muted-foreground outline-none select-none focus-visible:ring-2 focus-visible:ring-ring">Advanced</summary>
            <Field
              id="credential-oauth2-clientAuth"
              className="mt-3 pb-1"
              label="Client authentication"
              description="How the client ID and secret are sent to the token endpoint."
              error={errors.oauth2?.clientAuth?.message}
            >
              {(aria) => (
                <NativeSelect data-testid="credential-oauth2-clientAuth" {...aria} {...form.register('oauth2.clientAuth')}>
                  <option value="basic">HTTP Basic header (client_secret_basic)</option>
                  <option value="post">In the request body (client_secret_post)</option>
                </NativeSelect>
              )}
            </Field>
          </details>
        </fieldset>
      </>
    );
  }

  const fieldsChoice = opaque ? 'Credential JSON' : fields.map((f) => f.label).join(', ') || 'Fields';
  const submitLabel =
    method === 'oauth2' && grant === 'authorization_code' && authorizeOnCreate ? 'Save and connect' : method === 'oauth2' && grant === 'client_credentials' ? 'Save and get a token' : 'Save connection';

  return (
    <Dialog open={open} onOpenChange={(o) => !redirecting && onOpenChange(o)}>
      <DialogContent data-testid="credential-dialog">
        <DialogHeader>
          <DialogTitle>New connection</DialogTitle>
          <DialogDescription>
            Secrets are encrypted by the api and never shown again; only a masked hint is kept for you to recognise them.
          </DialogDescription>
        </DialogHeader>
        {eligible.length === 0 ? (
          <p className="text-sm text-muted-foreground">No connector needs credentials.</p>
        ) : redirecting ? (
          <div role="status" tabIndex={-1} ref={(el) => el?.focus()} className="flex items-center gap-3 py-6 text-sm outline-none" data-testid="credential-redirecting">
            <Loader2 className="size-5 animate-spin text-muted-foreground" aria-hidden />
            <p>
              Saved. Taking you to {connector?.oauth2?.userEndpoints ? 'the provider' : connector?.name} to approve access… <ExternalLink className="inline size-3.5" aria-hidden />
            </p>
          </div>
        ) : (
          <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)}>
            <Field id="credential-connector" label="Service" required error={errors.connector?.message}>
              {(aria) => (
                <NativeSelect
                  data-testid="credential-connector"
                  disabled={!!fixedConnector}
                  {...aria}
                  {...form.register('connector', { onChange: (e: React.ChangeEvent<HTMLSelectElement>) => onConnectorChange(e.target.value) })}
                >
                  {eligible.map((c) => (
                    <option key={c.key} value={c.key}>
                      {c.name}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>
            <Field id="credential-name" label="Name" description="How this connection is shown in pickers, e.g. “Team Slack”." error={errors.name?.message}>
              {(aria) => <Input data-testid="credential-name" placeholder={connector?.name} autoComplete="off" {...aria} {...form.register('name')} />}
            </Field>
            {oauth && connector?.credentials && (
              <fieldset className="flex flex-col gap-1.5">
                <legend className="mb-1.5 text-sm font-medium">How to connect</legend>
                <div className="grid gap-2 sm:grid-cols-2">
                  {(['oauth2', 'fields'] as const).map((m) => (
                    <label
                      key={m}
                      className="flex cursor-pointer items-start gap-2 rounded-lg border p-3 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5 has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50"
                    >
                      <input type="radio" value={m} className="mt-0.5 accent-primary" data-testid={`credential-method-${m}`} {...form.register('method')} />
                      <span className="min-w-0">
                        <span className="block font-medium">{m === 'oauth2' ? 'OAuth2 (recommended)' : fieldsChoice}</span>
                        <span className="block text-xs text-muted-foreground">
                          {m === 'oauth2' ? 'Approve access once; tokens are refreshed for you, and you are told if it needs you again.' : 'Type the credential yourself.'}
                        </span>
                      </span>
                    </label>
                  ))}
                </div>
              </fieldset>
            )}
            {method === 'oauth2' ? (
              renderOAuth2()
            ) : (
              <fieldset className="flex flex-col gap-4 rounded-lg border bg-muted/30 p-4">
                <legend className="flex items-center gap-1.5 px-1 text-xs font-medium text-muted-foreground">
                  <Lock className="size-3" aria-hidden /> Write-only fields
                </legend>
                {opaque ? (
                  <Field id="credential-raw" label="Credential JSON" error={errors.raw?.message}>
                    {(aria) => <Textarea rows={5} className="font-mono text-xs" data-testid="credential-raw" {...aria} {...form.register('raw')} />}
                  </Field>
                ) : (
                  fields.map(renderField)
                )}
              </fieldset>
            )}
            {method === 'oauth2' && grant === 'authorization_code' && !authorizeOnCreate && (
              <p className="text-xs text-muted-foreground" data-testid="credential-connect-later">
                After saving, approve access with Connect on the Connections page; steps using it cannot run before.
              </p>
            )}
            <InlineError error={create.error} details={unmapped} />
            <DialogFooter>
              <Button variant="outline" onClick={() => onOpenChange(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={create.isPending} data-testid="credential-save">
                {create.isPending ? 'Saving…' : submitLabel}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
