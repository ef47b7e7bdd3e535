'use client';
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { Download, Upload } from 'lucide-react';
import { ApiError } from '@/lib/api/client';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { MappingDialog, type RefNeed } from './mapping-dialog';
import { downloadExport, useImportWorkflow, type RefMapping } from './transfer-api';

/** Downloads the workflow as `<name>.tributary.json` (no secrets: docs/templates.md). */
export function ExportWorkflowButton({ id, name }: { id: string; name: string }) {
  const toast = useToast();
  const [busy, setBusy] = React.useState(false);
  return (
    <Button
      variant="ghost"
      size="icon-sm"
      aria-label={`Export ${name}`}
      title="Export (download JSON)"
      data-testid="workflow-export"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        downloadExport(id, name)
          .catch((e: unknown) => toast({ title: 'Could not export the workflow', description: e instanceof Error ? e.message : String(e), variant: 'error' }))
          .finally(() => setBusy(false));
      }}
    >
      <Download />
    </Button>
  );
}

interface DocRefs {
  credentials?: { ref: string; connector: string; name: string }[];
  workflows?: { ref: string; name: string }[];
}

/** What the api could not map (`credentials.cred:0`, `workflows.wf:0`), described from the document. */
function needsFrom(err: unknown, doc: DocRefs): RefNeed[] {
  if (!(err instanceof ApiError) || err.status !== 400) return [];
  const needs: RefNeed[] = [];
  for (const d of err.details) {
    const m = /^(credentials|workflows)\.((?:cred|wf):\d+)$/.exec(d.path);
    if (!m) continue;
    const ref = m[2];
    if (m[1] === 'credentials') {
      const c = doc.credentials?.find((x) => x.ref === ref);
      needs.push({ ref, kind: 'credential', connector: c?.connector, name: c?.name ?? ref, message: d.message });
    } else {
      const w = doc.workflows?.find((x) => x.ref === ref);
      needs.push({ ref, kind: 'workflow', name: w?.name ?? ref, message: d.message });
    }
  }
  return needs;
}

/** Uploads an exported workflow; asks for the connections the api could not map, then opens the new workflow. */
export function ImportWorkflowButton() {
  const input = React.useRef<HTMLInputElement>(null);
  const imp = useImportWorkflow();
  const router = useRouter();
  const toast = useToast();
  const [doc, setDoc] = React.useState<unknown>(null);
  const [needs, setNeeds] = React.useState<RefNeed[]>([]);

  function send(document: unknown, mapping: RefMapping, fromDialog: boolean) {
    imp.mutate(
      { document, mapping },
      {
        onSuccess: (wf) => {
          setNeeds([]);
          setDoc(null);
          toast({ title: 'Workflow imported', description: `${wf.name} (disabled until you enable it)` });
          router.push(`/workflows/${wf.id}`);
        },
        onError: (e) => {
          const asked = needsFrom(e, (document ?? {}) as DocRefs);
          if (asked.length && !fromDialog) {
            // The dialog asks; the 400 that led to it is not an error to show there.
            imp.reset();
            setNeeds(asked);
            return;
          }
          if (!fromDialog) toast({ title: 'Could not import the workflow', description: e.message, variant: 'error' });
        },
      },
    );
  }

  async function onFile(file: File) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      toast({ title: 'Not a JSON file', description: `${file.name} is not an exported workflow (a .tributary.json file).`, variant: 'error' });
      return;
    }
    imp.reset();
    setDoc(parsed);
    send(parsed, { credentials: {}, workflows: {} }, false);
  }

  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        className="sr-only"
        tabIndex={-1}
        aria-hidden
        data-testid="workflow-import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void onFile(file);
        }}
      />
      <Button variant="outline" onClick={() => input.current?.click()} disabled={imp.isPending} data-testid="workflow-import">
        <Upload /> Import
      </Button>
      <MappingDialog
        open={needs.length > 0}
        onOpenChange={(o) => {
          if (!o) setNeeds([]);
        }}
        title="Import: choose connections"
        description="The file names connections (and workflows) this workspace does not have under the same name. Choose which to use; secrets are never part of an export."
        needs={needs}
        pending={imp.isPending}
        error={imp.error}
        submitLabel="Import workflow"
        onSubmit={(mapping) => send(doc, mapping, true)}
      />
    </>
  );
}
