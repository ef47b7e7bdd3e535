'use client';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';

export const CANVAS_SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ['↑', '↓'], what: 'Move between nodes (Home, End: first, last)' },
  { keys: ['Enter'], what: 'Select the node and edit it in the side panel (on an empty branch: add a step)' },
  { keys: ['A'], what: 'Add a step after the focused node' },
  { keys: ['Shift', 'A'], what: 'Add a step before the focused step' },
  { keys: ['Alt', '↑'], what: 'Move the step up within its list' },
  { keys: ['Alt', '↓'], what: 'Move the step down within its list' },
  { keys: ['Ctrl/⌘', 'X'], what: 'Cut the step (to move it to another list)' },
  { keys: ['Ctrl/⌘', 'V'], what: 'Paste the cut step after the focused node, or into the focused empty branch' },
  { keys: ['Ctrl/⌘', 'D'], what: 'Duplicate the step (nested steps included, with new ids)' },
  { keys: ['Delete'], what: 'Delete the step' },
  { keys: ['C'], what: 'Collapse or expand the focused block' },
  { keys: ['Esc'], what: 'Clear the selection' },
  { keys: ['Ctrl/⌘', 'Z'], what: 'Undo a change to the steps' },
  { keys: ['Ctrl/⌘', 'Shift', 'Z'], what: 'Redo (also Ctrl+Y)' },
  { keys: ['?'], what: 'Show this list' },
];

/** The canvas's keyboard shortcuts (opened with `?` or the keyboard button). */
export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-lg" data-testid="shortcuts-dialog">
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription>Tab into the canvas, then use these on the focused node. Drag a step onto a + to move it.</DialogDescription>
        </DialogHeader>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {CANVAS_SHORTCUTS.map((s) => (
            <div key={s.what} className="contents">
              <dt className="flex items-center gap-1 whitespace-nowrap">
                {s.keys.map((k) => (
                  <kbd key={k} className="rounded border bg-muted px-1.5 py-0.5 font-mono text-xs">
                    {k}
                  </kbd>
                ))}
              </dt>
              <dd className="text-muted-foreground">{s.what}</dd>
            </div>
          ))}
        </dl>
      </DialogContent>
    </Dialog>
  );
}
