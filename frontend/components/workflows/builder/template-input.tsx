'use client';
import * as React from 'react';
import { Braces } from 'lucide-react';
import { cn } from '@/lib/utils';
import { inputClass } from '@/components/ui/input';
import { previewScopeOf, type TemplatePreviewScope } from './template-paths';
import { TemplatePreview } from './template-preview';

type Props = Omit<React.ComponentProps<'textarea'>, 'value' | 'onChange'> & {
  value: string;
  onChange(value: string): void;
  paths: string[];
  multiline?: boolean;
  mono?: boolean;
  /**
   * What a preview renders the template with; null: no preview. By default, the scope that came
   * with `paths` from `useTemplatePaths`/`useTemplatePathsFor` (none for other lists).
   */
  preview?: TemplatePreviewScope | null;
};

interface Query {
  /** Where the path being typed starts. */
  start: number;
  text: string;
}

/** The path being typed after an unclosed `{{` before the caret, if any. */
function findQuery(value: string, caret: number): Query | null {
  const before = value.slice(0, caret);
  const open = before.lastIndexOf('{{');
  if (open === -1 || before.lastIndexOf('}}') > open) return null;
  const token = /[^\s(){}]*$/.exec(before.slice(open + 2))?.[0] ?? '';
  return { start: caret - token.length, text: token };
}

/**
 * A text field for Handlebars templates: typing `{{` offers the available paths (sample payload,
 * earlier steps' outputs, a loop's item), filtered as you type; arrows choose, Enter or Tab inserts,
 * Escape closes. Under it, what the template renders to with the sample (see TemplatePreview).
 */
export function TemplateInput({ value, onChange, paths, multiline, mono, preview, className, id, onKeyDown, onBlur, ...rest }: Props) {
  const ref = React.useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const [query, setQuery] = React.useState<Query | null>(null);
  const [active, setActive] = React.useState(0);
  const generatedId = React.useId();
  const baseId = id ?? `template-${generatedId}`;
  const listId = `${baseId}-suggestions`;
  const previewId = `${baseId}-preview`;
  const scope = preview === undefined ? previewScopeOf(paths) : preview;

  const matches = React.useMemo(() => {
    if (!query) return [];
    const q = query.text.toLowerCase();
    const starts = paths.filter((p) => p.toLowerCase().startsWith(q));
    const contains = paths.filter((p) => !p.toLowerCase().startsWith(q) && p.toLowerCase().includes(q));
    return [...starts, ...contains].slice(0, 10);
  }, [query, paths]);
  const open = matches.length > 0;

  function refresh(el: HTMLTextAreaElement | HTMLInputElement) {
    setQuery(findQuery(el.value, el.selectionStart ?? el.value.length));
    setActive(0);
  }

  function insert(path: string) {
    const el = ref.current;
    if (!el || !query) return;
    const caret = el.selectionStart ?? value.length;
    const after = value.slice(caret);
    // Close the tag unless it is already closed before the next one opens.
    const closeAt = after.indexOf('}}');
    const nextOpen = after.indexOf('{{');
    const closed = closeAt !== -1 && (nextOpen === -1 || closeAt < nextOpen);
    const rest = closed ? after.replace(/^[^\s(){}]*/, '') : after;
    const inserted = closed ? path : `${path}}}`;
    const next = value.slice(0, query.start) + inserted + rest;
    onChange(next);
    setQuery(null);
    const pos = query.start + inserted.length + (closed ? rest.indexOf('}}') + 2 : 0);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  }

  function handleKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement & HTMLInputElement>) {
    if (open) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => (a + 1) % matches.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a - 1 + matches.length) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(matches[active]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setQuery(null);
        return;
      }
    }
    onKeyDown?.(e);
  }

  const describedBy = [rest['aria-describedby'], scope ? previewId : undefined].filter(Boolean).join(' ') || undefined;
  const common = {
    ...rest,
    'aria-describedby': describedBy,
    id,
    ref,
    value,
    role: 'combobox',
    'aria-autocomplete': 'list' as const,
    'aria-expanded': open,
    'aria-controls': open ? listId : undefined,
    'aria-activedescendant': open ? `${listId}-${active}` : undefined,
    autoComplete: 'off',
    spellCheck: false,
    onChange: (e: React.ChangeEvent<HTMLTextAreaElement & HTMLInputElement>) => {
      onChange(e.target.value);
      refresh(e.target);
    },
    onKeyDown: handleKeyDown,
    onClick: (e: React.MouseEvent<HTMLTextAreaElement & HTMLInputElement>) => refresh(e.currentTarget),
    onBlur: (e: React.FocusEvent<HTMLTextAreaElement & HTMLInputElement>) => {
      setQuery(null);
      onBlur?.(e);
    },
    className: cn(inputClass, multiline && 'h-auto min-h-16 py-2', mono && 'font-mono text-xs', 'pr-9', className),
  };

  return (
    <div className="relative">
      {multiline ? <textarea rows={3} {...common} /> : <input type="text" {...(common as React.ComponentProps<'input'>)} />}
      <button
        type="button"
        tabIndex={-1}
        title="Insert a value"
        aria-label="Insert a value from the trigger or earlier steps"
        className="absolute top-2 right-2 rounded-sm p-0.5 text-muted-foreground hover:text-foreground"
        onMouseDown={(e) => {
          e.preventDefault();
          const el = ref.current;
          if (!el) return;
          const caret = el.selectionStart ?? value.length;
          const next = `${value.slice(0, caret)}{{${value.slice(caret)}`;
          onChange(next);
          requestAnimationFrame(() => {
            el.focus();
            el.setSelectionRange(caret + 2, caret + 2);
            setQuery({ start: caret + 2, text: '' });
            setActive(0);
          });
        }}
      >
        <Braces className="size-4" />
      </button>
      {open && (
        <ul
          id={listId}
          role="listbox"
          data-testid="template-suggestions"
          className="absolute z-40 mt-1 max-h-60 w-full overflow-auto rounded-md border bg-popover p-1 text-sm shadow-lg"
        >
          {matches.map((p, i) => (
            <li
              key={p}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              data-testid="template-suggestion"
              onMouseDown={(e) => {
                e.preventDefault();
                insert(p);
              }}
              onMouseEnter={() => setActive(i)}
              className={cn('cursor-pointer truncate rounded-sm px-2 py-1.5 font-mono text-xs', i === active && 'bg-accent text-accent-foreground')}
            >
              {p}
            </li>
          ))}
        </ul>
      )}
      {scope && <TemplatePreview id={previewId} value={value} scope={scope} json={mono} />}
    </div>
  );
}
