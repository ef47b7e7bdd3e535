'use client';
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { LayoutTemplate } from 'lucide-react';
import type { TemplateSummary } from '@tributary/contracts/templates';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { useToast } from '@/components/ui/toast';
import { PageHeader } from '@/components/common/page-header';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { MappingDialog } from './mapping-dialog';
import { useTemplates, useUseTemplate, type RefMapping } from './transfer-api';

function TemplateCard({ t, onUse, busy }: { t: TemplateSummary; onUse(): void; busy: boolean }) {
  const headingId = `template-${t.key}-title`;
  return (
    <Card className="flex flex-col" data-testid="template-card" data-template-key={t.key} aria-labelledby={headingId} role="article">
      <CardHeader>
        <p className="text-xs font-medium text-muted-foreground uppercase">{t.category}</p>
        <CardTitle id={headingId}>{t.name}</CardTitle>
        <CardDescription className="line-clamp-4">{t.description}</CardDescription>
      </CardHeader>
      <CardContent className="mt-auto flex flex-wrap gap-1.5" aria-label="Connectors">
        {t.connectors.map((c) => (
          <Badge key={c} variant="secondary">
            {c}
          </Badge>
        ))}
      </CardContent>
      <CardFooter className="justify-between gap-2">
        <span className="text-xs text-muted-foreground">
          {t.credentials.length ? `Needs ${t.credentials.map((c) => c.connector).join(', ')}` : 'No connection needed'}
        </span>
        <Button size="sm" onClick={onUse} disabled={busy} data-testid="template-use" aria-label={`Use template ${t.name}`}>
          Use template
        </Button>
      </CardFooter>
    </Card>
  );
}

export function TemplatesPage() {
  const templates = useTemplates();
  const use = useUseTemplate();
  const router = useRouter();
  const toast = useToast();
  const [chosen, setChosen] = React.useState<TemplateSummary | null>(null);
  const items = templates.data?.items ?? [];

  function create(t: TemplateSummary, mapping: RefMapping) {
    use.mutate(
      { key: t.key, mapping },
      {
        onSuccess: (wf) => {
          setChosen(null);
          toast({ title: 'Workflow created from the template', description: `${wf.name} (disabled until you enable it)` });
          router.push(`/workflows/${wf.id}`);
        },
        onError: (e) => {
          if (!chosen) toast({ title: 'Could not use the template', description: e.message, variant: 'error' });
        },
      },
    );
  }

  function start(t: TemplateSummary) {
    use.reset();
    if (t.credentials.length === 0) create(t, { credentials: {}, workflows: {} });
    else setChosen(t);
  }

  return (
    <>
      <PageHeader title="Templates" description="Ready-made workflows across the connectors: pick one, choose its connections, then adapt it in the builder." />
      {templates.isLoading ? (
        <ListSkeleton />
      ) : templates.error ? (
        <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={LayoutTemplate} title="No templates" description="This server offers no templates." />
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="template-gallery">
          {items.map((t) => (
            <li key={t.key} className="flex">
              <TemplateCard t={t} onUse={() => start(t)} busy={use.isPending} />
            </li>
          ))}
        </ul>
      )}
      <MappingDialog
        open={!!chosen}
        onOpenChange={(o) => !o && setChosen(null)}
        title={<>Use “{chosen?.name}”</>}
        needs={(chosen?.credentials ?? []).map((c) => ({ ref: c.ref, kind: 'credential' as const, connector: c.connector, name: c.name }))}
        pending={use.isPending}
        error={use.error}
        submitLabel="Create workflow"
        onSubmit={(mapping) => chosen && create(chosen, mapping)}
      />
    </>
  );
}
