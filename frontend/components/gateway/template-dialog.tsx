'use client';
import { CheckCircle2, Info, TriangleAlert } from 'lucide-react';
import type { GatewaySyncReport, KongConfig, KongUseCase } from '@/lib/api/types';
import { Badge } from '@/components/ui/badge';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { KongConfigView } from './kong-config-view';
import { useCases } from './use-cases';

export interface TemplateView {
  useCase: KongUseCase;
  path: string;
  config: KongConfig;
  workflowName: string;
  /** Only right after generating: what the api says about the pattern. */
  description?: string;
  notes?: string[];
  pushed?: GatewaySyncReport | null;
}

function PushStatus({ pushed }: { pushed: GatewaySyncReport | null }) {
  if (!pushed) {
    return (
      <p className="flex items-start gap-2 rounded-md border bg-muted/40 px-3 py-2 text-xs text-muted-foreground">
        <Info className="mt-0.5 size-3.5 shrink-0" aria-hidden />
        Kong&apos;s Admin API is not configured (KONG_ADMIN_URL), so nothing was pushed: load this config into a DB-less Kong yourself.
      </p>
    );
  }
  return pushed.ok ? (
    <p className="flex items-start gap-2 rounded-md border border-success/40 bg-success/10 px-3 py-2 text-xs">
      <CheckCircle2 className="mt-0.5 size-3.5 shrink-0 text-success" aria-hidden />
      {pushed.unchanged ? 'Kong already runs this config.' : 'Pushed to Kong: the route is live.'}
    </p>
  ) : (
    <p className="flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/5 px-3 py-2 text-xs text-destructive">
      <TriangleAlert className="mt-0.5 size-3.5 shrink-0" aria-hidden />
      Kong refused the config{pushed.error ? `: ${pushed.error}` : ''}.
    </p>
  );
}

/** A template's Kong config; right after generating, also the api's description, notes and push result. */
export function TemplateDialog({ template, onClose }: { template: TemplateView | null; onClose(): void }) {
  const meta = template ? useCases[template.useCase] : null;
  return (
    <Dialog open={!!template} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-w-3xl" data-testid="kong-template-dialog">
        {template && meta && (
          <>
            <DialogHeader>
              <DialogTitle className="flex flex-wrap items-center gap-2">
                <meta.icon className="size-4 text-primary" aria-hidden /> {meta.label}
                <Badge variant="outline" className="font-mono">
                  {template.path}
                </Badge>
              </DialogTitle>
              <DialogDescription>{template.description ?? `${meta.summary} In front of “${template.workflowName}”.`}</DialogDescription>
            </DialogHeader>
            {template.notes && template.notes.length > 0 && (
              <ul className="flex list-disc flex-col gap-1 pl-5 text-sm text-muted-foreground" data-testid="kong-template-notes">
                {template.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            )}
            {template.pushed !== undefined && <PushStatus pushed={template.pushed} />}
            <KongConfigView config={template.config} testId="kong-template-config" />
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
