'use client';
import * as React from 'react';
import { TriangleAlert } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { CopyButton } from './copy-button';

/**
 * A secret the api answers once (an API key, an invitation link): shown with a copy button and a
 * plain warning that it cannot be shown again. A click outside does not close it, so it is not
 * lost by accident; the caller drops the secret from its state when the dialog closes.
 */
export function OneTimeSecretDialog({
  secret,
  title,
  description,
  label,
  copyLabel,
  warning,
  onClose,
  testId,
  children,
}: {
  /** The dialog is open while there is a secret. */
  secret: string | null;
  title: React.ReactNode;
  description?: React.ReactNode;
  /** What the secret is, e.g. "API key": the field's label. */
  label: string;
  /** The copy button's text, e.g. "Copy key". */
  copyLabel: string;
  warning: React.ReactNode;
  onClose(): void;
  testId: string;
  children?: React.ReactNode;
}) {
  const fieldId = React.useId();
  return (
    <Dialog open={secret !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid={testId} onInteractOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          {description && <DialogDescription>{description}</DialogDescription>}
        </DialogHeader>
        <p role="alert" className="flex items-start gap-2 rounded-md border border-warning/50 bg-warning/15 px-3 py-2 text-sm" data-testid={`${testId}-warning`}>
          <TriangleAlert className="mt-0.5 size-4 shrink-0 text-[oklch(0.45_0.1_70)]" aria-hidden />
          <span>{warning}</span>
        </p>
        <div className="flex flex-col gap-1.5">
          <label htmlFor={fieldId} className="text-sm font-medium">
            {label}
          </label>
          <div className="flex items-start gap-2">
            <textarea
              id={fieldId}
              readOnly
              rows={2}
              value={secret ?? ''}
              onFocus={(e) => e.currentTarget.select()}
              spellCheck={false}
              data-testid={`${testId}-value`}
              className="min-w-0 flex-1 resize-none rounded-md border bg-muted/50 px-3 py-2 font-mono text-xs break-all outline-none focus-visible:ring-[3px] focus-visible:ring-ring/40"
            />
            <CopyButton value={secret ?? ''} label={copyLabel} testId={`${testId}-copy`} />
          </div>
        </div>
        {children}
        <DialogFooter>
          <Button onClick={onClose} data-testid={`${testId}-done`}>
            I have stored it
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
