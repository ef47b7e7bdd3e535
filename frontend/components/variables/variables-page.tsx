'use client';
import * as React from 'react';
import { Braces, Lock, Pencil, Plus, Trash2 } from 'lucide-react';
import { DEFAULT_ENVIRONMENT } from '@tributary/contracts/variables';
import { useDeleteVariable, useEnvironments, useVariables, type Variable } from '@/lib/api/variables';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { useToast } from '@/components/ui/toast';
import { ConfirmAction } from '@/components/common/confirm-action';
import { PageHeader } from '@/components/common/page-header';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { VariableDialog } from './variable-dialog';

type Shown = Variable['values'][string] | null;

/** A value as the table shows it: a plain variable's text, a secret's "set" with its hint, or a dash. */
function ValueCell({ value, secret, label }: { value: Shown; secret: boolean; label: string }) {
  if (!value) {
    return (
      <span className="text-muted-foreground" aria-label={`${label}: not set`}>
        —
      </span>
    );
  }
  if (secret) {
    return (
      <Badge variant="secondary" className="font-mono" title="A secret: it is never shown again" data-testid="variable-secret-set">
        <Lock className="size-3" aria-hidden /> set {value.hint}
      </Badge>
    );
  }
  return (
    <span className="block max-w-56 truncate font-mono text-xs" title={value.value ?? ''} data-testid="variable-plain-value">
      {value.value}
    </span>
  );
}

function DeleteVariable({ variable }: { variable: Variable }) {
  const remove = useDeleteVariable();
  const toast = useToast();
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Delete ${variable.name}`} title="Delete" data-testid="variable-delete">
          <Trash2 />
        </Button>
      }
      title={<>Delete {variable.name}?</>}
      description={`Its values in every environment go. Workflows that read {{vars.${variable.name}}} fail at that step until you create it again, and cannot be saved meanwhile.`}
      confirmLabel="Delete"
      onConfirm={() =>
        remove.mutate(variable.id, {
          onSuccess: () => toast({ title: 'Variable deleted', description: variable.name }),
          onError: (e) => toast({ title: 'Could not delete the variable', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

export function VariablesPage() {
  const variables = useVariables();
  const environments = useEnvironments();
  const user = useCurrentUser();
  const toast = useToast();
  const canEdit = user?.role !== 'viewer';
  const [editing, setEditing] = React.useState<Variable | undefined>();
  const [open, setOpen] = React.useState(false);
  const items = React.useMemo(() => variables.data?.items ?? [], [variables.data]);
  // The table's columns: every environment in use (production first), then any a value names.
  const columns = React.useMemo(() => {
    const names = new Set<string>([DEFAULT_ENVIRONMENT, ...(environments.data?.items.map((e) => e.name) ?? [])]);
    for (const v of items) for (const env of Object.keys(v.values)) names.add(env);
    return [...names].sort((a, b) => (a === DEFAULT_ENVIRONMENT ? -1 : b === DEFAULT_ENVIRONMENT ? 1 : a.localeCompare(b)));
  }, [environments.data, items]);

  const openDialog = (v?: Variable) => {
    setEditing(v);
    setOpen(true);
  };

  return (
    <div>
      <PageHeader
        title="Variables"
        description={
          <>
            Values workflows read as <code className="font-mono">{'{{vars.NAME}}'}</code>, per environment. A workflow runs in one environment; promote it from the builder.
          </>
        }
        actions={
          canEdit && (
            <Button onClick={() => openDialog()} data-testid="new-variable">
              <Plus /> New variable
            </Button>
          )
        }
      />
      {variables.isLoading ? (
        <ListSkeleton rows={4} />
      ) : variables.error ? (
        <ErrorState error={variables.error} onRetry={() => void variables.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={Braces}
          title="No variables yet"
          description="Keep base URLs, account ids and API keys here instead of in each workflow, with a value per environment (staging, production…)."
          action={
            canEdit && (
              <Button onClick={() => openDialog()}>
                <Plus /> Create the first variable
              </Button>
            )
          }
        />
      ) : (
        <Card>
          <CardContent className="overflow-x-auto p-0">
            <table className="w-full text-sm" data-testid="variables-table">
              <caption className="sr-only">Variables and their value in each environment</caption>
              <thead>
                <tr className="border-b text-left text-xs text-muted-foreground">
                  <th scope="col" className="px-4 py-3 font-medium">
                    Name
                  </th>
                  {columns.map((env) => (
                    <th key={env} scope="col" className="px-4 py-3 font-mono font-medium">
                      {env}
                    </th>
                  ))}
                  <th scope="col" className="px-4 py-3 font-medium">
                    Default
                  </th>
                  <th scope="col" className="px-4 py-3">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {items.map((v) => (
                  <tr key={v.id} data-testid="variable-row" data-name={v.name} className="align-middle">
                    <th scope="row" className="px-4 py-3 text-left font-normal">
                      <span className="flex items-center gap-2 font-mono font-medium">
                        {v.name}
                        {v.secret && (
                          <Badge variant="outline" className="gap-1">
                            <Lock className="size-3" aria-hidden /> secret
                          </Badge>
                        )}
                      </span>
                      {v.description && <span className="block text-xs text-muted-foreground">{v.description}</span>}
                    </th>
                    {columns.map((env) => (
                      <td key={env} className="px-4 py-3" data-environment={env}>
                        <ValueCell value={v.values[env] ?? null} secret={v.secret} label={`${v.name} in ${env}`} />
                      </td>
                    ))}
                    <td className="px-4 py-3" data-environment="*">
                      <ValueCell value={v.defaultValue} secret={v.secret} label={`${v.name} default`} />
                    </td>
                    <td className="px-4 py-3">
                      {canEdit && (
                        <div className="flex justify-end gap-1">
                          <Button variant="ghost" size="icon-sm" aria-label={`Edit ${v.name}`} title="Edit" data-testid="variable-edit" onClick={() => openDialog(v)}>
                            <Pencil />
                          </Button>
                          <DeleteVariable variable={v} />
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </CardContent>
        </Card>
      )}
      <VariableDialog
        open={open}
        onOpenChange={setOpen}
        variable={editing}
        environments={columns}
        onSaved={(v) => toast({ title: editing ? 'Variable saved' : 'Variable created', description: v.name, variant: 'success' })}
      />
    </div>
  );
}
