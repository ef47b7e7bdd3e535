'use client';
import * as React from 'react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Download, Filter, ScrollText, X } from 'lucide-react';
import { downloadAuditExport, useAuditLog, type AuditEntry, type AuditFilter } from '@/lib/api/audit';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { formatDateTime } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { useToast } from '@/components/ui/toast';
import { PageHeader } from '@/components/common/page-header';
import { EmptyState, ErrorState, ListSkeleton, RestrictedState } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';

/** Prefixes offered for the action filter (any other prefix can be typed). */
const ACTION_PREFIXES: { value: string; label: string }[] = [
  { value: 'auth.', label: 'Sign-ins (auth.)' },
  { value: 'credential.', label: 'Credentials (credential.)' },
  { value: 'workflow.', label: 'Workflows (workflow.)' },
  { value: 'user.', label: 'Members and roles (user.)' },
  { value: 'invitation.', label: 'Invitations (invitation.)' },
  { value: 'api_key.', label: 'API keys (api_key.)' },
  { value: 'variable.', label: 'Variables (variable.)' },
  { value: 'sso.', label: 'Single sign-on settings (sso.)' },
  { value: 'consumer.', label: 'API consumers (consumer.)' },
  { value: 'execution.', label: 'Executions (execution.)' },
];
const TARGET_TYPES = ['credential', 'workflow', 'user', 'invitation', 'execution', 'api_key', 'variable', 'api_consumer', 'sso'];
const FIELDS = ['action', 'actor', 'targetType', 'targetId', 'from', 'to'] as const;
type FilterForm = Record<(typeof FIELDS)[number], string>;

/** datetime-local ("2025-01-02T03:04") in the browser's zone ⇄ ISO for the api. */
function localToIso(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Where a target lives in the dashboard, when it has a page. */
function targetHref(e: AuditEntry): string | null {
  if (!e.targetId) return null;
  if (e.targetType === 'workflow') return `/workflows/${e.targetId}`;
  if (e.targetType === 'execution') return `/logs/${e.targetId}`;
  return null;
}

/** The details as `key: value` pairs on one line (the full JSON in the title). */
function DetailsCell({ entry }: { entry: AuditEntry }) {
  const pairs = Object.entries(entry.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (entry.ip) pairs.push(`ip: ${entry.ip}`);
  if (!pairs.length) return <span className="text-muted-foreground">—</span>;
  return (
    <span className="block max-w-[28rem] truncate font-mono text-xs text-muted-foreground" title={JSON.stringify({ ...entry.details, ...(entry.ip ? { ip: entry.ip } : {}) }, null, 2)}>
      {pairs.join(' · ')}
    </span>
  );
}

export function AuditPage() {
  const user = useCurrentUser();
  if (user && user.role !== 'admin') {
    return (
      <>
        <PageHeader title="Audit" />
        <RestrictedState description="The audit log names who did what in this workspace, so only admins read and export it." />
      </>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const toast = useToast();
  const applied: FilterForm = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])) as FilterForm;
  const [form, setForm] = React.useState<FilterForm>(applied);
  const appliedKey = params.toString();
  // Back/forward (or a link) changed the URL: show its filters.
  React.useEffect(() => setForm(Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])) as FilterForm), [appliedKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const filters: AuditFilter = { ...applied, from: localToIso(applied.from), to: localToIso(applied.to) };
  const log = useAuditLog(filters);
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = FIELDS.some((f) => applied[f]);
  const [exporting, setExporting] = React.useState(false);

  function apply(next: FilterForm) {
    const q = new URLSearchParams();
    for (const f of FIELDS) if (next[f].trim()) q.set(f, next[f].trim());
    router.replace(`${pathname}${q.size ? `?${q}` : ''}`, { scroll: false });
  }
  const set = (f: keyof FilterForm) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm((s) => ({ ...s, [f]: e.target.value }));

  async function exportLog() {
    setExporting(true);
    try {
      await downloadAuditExport(filters);
      toast({ title: 'Export downloaded', description: 'One JSON object per line (NDJSON), with the filters shown.', variant: 'success' });
    } catch (err) {
      toast({ title: 'Could not export', description: (err as Error).message, variant: 'error' });
    } finally {
      setExporting(false);
    }
  }

  return (
    <>
      <PageHeader
        title="Audit"
        description="Who did what in this workspace: sign-ins, credentials, workflows, members and keys. Newest first."
        actions={
          <Button variant="outline" onClick={() => void exportLog()} disabled={exporting} data-testid="audit-export">
            <Download /> {exporting ? 'Exporting…' : 'Export (NDJSON)'}
          </Button>
        }
      />
      <Card className="mb-4 p-4">
        <form
          className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4 lg:items-end"
          aria-label="Filters"
          onSubmit={(e) => {
            e.preventDefault();
            apply(form);
          }}
        >
          <Field id="audit-action" label="Action">
            {(aria) => (
              <>
                <Input {...aria} list="audit-action-prefixes" placeholder="credential." value={form.action} onChange={set('action')} data-testid="audit-filter-action" />
                <datalist id="audit-action-prefixes">
                  {ACTION_PREFIXES.map((p) => (
                    <option key={p.value} value={p.value}>
                      {p.label}
                    </option>
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field id="audit-actor" label="Actor">
            {(aria) => <Input {...aria} placeholder="email or user id" value={form.actor} onChange={set('actor')} data-testid="audit-filter-actor" />}
          </Field>
          <Field id="audit-target-type" label="Target">
            {(aria) => (
              <NativeSelect {...aria} value={form.targetType} onChange={set('targetType')} data-testid="audit-filter-target-type">
                <option value="">Any target</option>
                {TARGET_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
                {form.targetType && !TARGET_TYPES.includes(form.targetType) && <option value={form.targetType}>{form.targetType}</option>}
              </NativeSelect>
            )}
          </Field>
          <Field id="audit-target-id" label="Target id">
            {(aria) => <Input {...aria} value={form.targetId} onChange={set('targetId')} data-testid="audit-filter-target-id" />}
          </Field>
          <Field id="audit-from" label="From">
            {(aria) => <Input type="datetime-local" {...aria} value={form.from} onChange={set('from')} data-testid="audit-filter-from" />}
          </Field>
          <Field id="audit-to" label="To">
            {(aria) => <Input type="datetime-local" {...aria} value={form.to} onChange={set('to')} data-testid="audit-filter-to" />}
          </Field>
          <div className="flex gap-2 lg:col-span-2">
            <Button type="submit" data-testid="audit-apply">
              <Filter /> Apply
            </Button>
            <Button
              type="button"
              variant="ghost"
              disabled={!filtered && !FIELDS.some((f) => form[f])}
              onClick={() => {
                setForm(Object.fromEntries(FIELDS.map((f) => [f, ''])) as FilterForm);
                router.replace(pathname, { scroll: false });
              }}
            >
              <X /> Clear
            </Button>
          </div>
        </form>
      </Card>
      {log.isLoading ? (
        <ListSkeleton rows={8} />
      ) : log.error ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={ScrollText}
          title={filtered ? 'No entries match these filters' : 'Nothing audited yet'}
          description={filtered ? 'Widen the time range or clear the filters.' : 'Sign-ins, credential, workflow and team changes appear here as they happen.'}
        />
      ) : (
        <Card className="overflow-hidden">
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" data-testid="audit-table">
              <thead className="bg-muted/50 text-left text-xs text-muted-foreground">
                <tr>
                  <th scope="col" className="px-4 py-2.5 font-medium">Time</th>
                  <th scope="col" className="px-4 py-2.5 font-medium">Actor</th>
                  <th scope="col" className="px-4 py-2.5 font-medium">Action</th>
                  <th scope="col" className="px-4 py-2.5 font-medium">Target</th>
                  <th scope="col" className="hidden px-4 py-2.5 font-medium lg:table-cell">Details</th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {items.map((e) => {
                  const href = targetHref(e);
                  return (
                    <tr key={e.id} className="hover:bg-muted/40" data-testid="audit-row" data-action={e.action} data-actor={e.actorEmail ?? ''}>
                      <td className="px-4 py-2.5 whitespace-nowrap text-muted-foreground" title={e.createdAt}>
                        {formatDateTime(e.createdAt)}
                      </td>
                      <td className="max-w-[14rem] truncate px-4 py-2.5" title={e.userId ?? undefined}>
                        {e.actorEmail ?? (e.userId ? <span className="font-mono text-xs">{e.userId}</span> : <span className="text-muted-foreground">system</span>)}
                      </td>
                      <td className="px-4 py-2.5">
                        <Badge variant={e.action.endsWith('_failed') ? 'destructive' : 'secondary'} className="font-mono">
                          {e.action}
                        </Badge>
                      </td>
                      <td className="max-w-[16rem] px-4 py-2.5">
                        {e.targetType ? (
                          <span className="block truncate text-xs">
                            <span className="text-muted-foreground">{e.targetType}</span>{' '}
                            {href ? (
                              <Link href={href} className="font-mono hover:underline">
                                {e.targetId}
                              </Link>
                            ) : (
                              <span className="font-mono">{e.targetId}</span>
                            )}
                          </span>
                        ) : (
                          <span className="text-muted-foreground">—</span>
                        )}
                      </td>
                      <td className="hidden px-4 py-2.5 lg:table-cell">
                        <DetailsCell entry={e} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <LoadMore query={log} testId="audit-load-more" />
        </Card>
      )}
    </>
  );
}
