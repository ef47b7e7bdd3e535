'use client';
import * as React from 'react';
import Link from 'next/link';
import { useCredentials } from '@/lib/api/credentials';
import { useWorkflowOptions } from '@/lib/api/workflows';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { NativeSelect } from '@/components/ui/native-select';
import { InlineError } from '@/components/common/states';
import type { RefMapping } from './transfer-api';

/** Something a document needs from this workspace: a credential of a connector, or a workflow. */
export interface RefNeed {
  ref: string;
  kind: 'credential' | 'workflow';
  connector?: string;
  /** The name it had where it was exported (or a template's suggested name). */
  name: string;
  /** Why the api could not map it, when it said. */
  message?: string;
}

function CredentialChoice({ need, value, onChange }: { need: RefNeed; value: string; onChange(id: string): void }) {
  const creds = useCredentials(need.connector);
  const items = React.useMemo(() => creds.data?.pages.flatMap((p) => p.items) ?? [], [creds.data]);
  const id = `map-${need.ref.replace(':', '-')}`;
  // Preselect the credential with the same name, else the only one of the connector.
  React.useEffect(() => {
    if (value || !items.length) return;
    const pick = items.find((c) => c.name === need.name) ?? (items.length === 1 ? items[0] : undefined);
    if (pick) onChange(pick.id);
  }, [items, value, need.name, onChange]);
  if (creds.isLoading) return <p className="text-sm text-muted-foreground">Loading {need.connector} connections…</p>;
  if (!items.length) {
    return (
      <div className="rounded-lg border border-dashed p-3 text-sm" data-testid={`map-missing-${need.ref}`}>
        <p className="font-medium">
          A <span className="font-mono">{need.connector}</span> connection (“{need.name}”)
        </p>
        <p className="mt-1 text-muted-foreground">
          This workspace has none yet.{' '}
          <Link href="/connections" className="text-primary underline-offset-4 hover:underline">
            Create one on the Connections page
          </Link>
          , then come back.
        </p>
      </div>
    );
  }
  return (
    <Field id={id} label={<>{need.connector} connection</>} required description={need.message ?? `Exported as “${need.name}”.`}>
      {(aria) => (
        <NativeSelect {...aria} value={value} onChange={(e) => onChange(e.target.value)} data-testid={`map-select-${need.ref}`}>
          <option value="">Choose a connection…</option>
          {items.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
      )}
    </Field>
  );
}

function WorkflowChoice({ need, value, onChange }: { need: RefNeed; value: string; onChange(id: string): void }) {
  const workflows = useWorkflowOptions();
  const id = `map-${need.ref.replace(':', '-')}`;
  return (
    <Field id={id} label="Workflow" required description={need.message ?? `Named “${need.name}” where it was exported.`}>
      {(aria) => (
        <NativeSelect {...aria} value={value} onChange={(e) => onChange(e.target.value)} data-testid={`map-select-${need.ref}`}>
          <option value="">Choose a workflow…</option>
          {(workflows.data ?? []).map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </NativeSelect>
      )}
    </Field>
  );
}

/** Asks which connection (or workflow) of this workspace each reference of a template or an import uses. */
export function MappingDialog({
  open,
  onOpenChange,
  title,
  description,
  needs,
  pending,
  error,
  submitLabel,
  onSubmit,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: React.ReactNode;
  description?: React.ReactNode;
  needs: RefNeed[];
  pending: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit(mapping: RefMapping): void;
}) {
  const [values, setValues] = React.useState<Record<string, string>>({});
  React.useEffect(() => {
    if (open) setValues({});
  }, [open]);
  const setter = React.useCallback((ref: string) => (id: string) => setValues((v) => ({ ...v, [ref]: id })), []);
  const setters = React.useMemo(() => Object.fromEntries(needs.map((n) => [n.ref, setter(n.ref)])), [needs, setter]);
  const complete = needs.every((n) => values[n.ref]);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const mapping: RefMapping = { credentials: {}, workflows: {} };
    for (const n of needs) if (values[n.ref]) (n.kind === 'credential' ? mapping.credentials : mapping.workflows)[n.ref] = values[n.ref];
    onSubmit(mapping);
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="mapping-dialog">
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description ?? 'Choose the connections of this workspace it should use. Secrets are never part of a template or an export.'}</DialogDescription>
        </DialogHeader>
        <form noValidate className="flex flex-col gap-4" onSubmit={submit}>
          {needs.map((n) =>
            n.kind === 'credential' ? (
              <CredentialChoice key={n.ref} need={n} value={values[n.ref] ?? ''} onChange={setters[n.ref]} />
            ) : (
              <WorkflowChoice key={n.ref} need={n} value={values[n.ref] ?? ''} onChange={setters[n.ref]} />
            ),
          )}
          {error ? <InlineError error={error} /> : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={!complete || pending} data-testid="mapping-submit">
              {pending ? 'Creating…' : submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
