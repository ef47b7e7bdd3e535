'use client';
/**
 * A JavaScript editor (CodeMirror 6) for the string fields a connector marks as code (JSON Schema
 * `contentMediaType: text/javascript`). Loaded on demand (step-input-fields imports it with
 * next/dynamic), so pages without a code step never download CodeMirror.
 *
 * The form owns the value: the editor reports every edit with `onChange` and takes a different
 * `value` (a reset, the JSON view applied) as a new document. The text is kept exactly: the line
 * separator of the value is kept (CodeMirror would turn `\r\n` into `\n`), nothing is trimmed.
 *
 * Keyboard: Tab and Shift-Tab indent; Escape then Tab (or Shift-Tab) moves the focus out, as does
 * Ctrl-M (Shift-Alt-M on macOS), which toggles Tab between indenting and moving the focus.
 */
import * as React from 'react';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { cn } from '@/lib/utils';

export interface CodeEditorProps {
  /** The id of the editable element (the Field's id: server errors focus it). */
  id: string;
  value: string;
  onChange(value: string): void;
  onBlur?(): void;
  /** Ids of the elements that label / describe the editor. */
  labelledBy: string;
  describedBy?: string;
  invalid?: boolean;
  required?: boolean;
  placeholder?: string;
  /** The editor is at least this many lines high (it grows with its text up to `maxLines`, then scrolls). */
  minLines?: number;
  maxLines?: number;
  className?: string;
  'data-testid'?: string;
}

const LINE_HEIGHT = 1.6;

/** The dashboard's light look (Tailwind's CSS variables); the border and focus ring are the host's. */
function theme(minLines: number, maxLines: number): Extension {
  const lines = (n: number) => `calc(${n * LINE_HEIGHT}em + 8px)`;
  return EditorView.theme(
    {
      '&': { backgroundColor: 'transparent', color: 'var(--color-foreground)', fontSize: '12px', maxHeight: lines(maxLines) },
      '&.cm-focused': { outline: 'none' },
      '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: String(LINE_HEIGHT), overflow: 'auto' },
      '.cm-content, .cm-gutter': { minHeight: lines(minLines) },
      '.cm-content': { padding: '4px 0', caretColor: 'var(--color-foreground)' },
      '.cm-line': { padding: '0 12px 0 8px' },
      '.cm-gutters': { backgroundColor: 'var(--color-muted)', color: 'var(--color-muted-foreground)', borderRight: '1px solid var(--color-border)' },
      '.cm-lineNumbers .cm-gutterElement': { padding: '0 8px 0 12px', minWidth: '2.5em' },
      '.cm-activeLine': { backgroundColor: 'color-mix(in oklab, var(--color-accent) 55%, transparent)' },
      '.cm-activeLineGutter': { backgroundColor: 'var(--color-accent)', color: 'var(--color-accent-foreground)' },
      '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--color-foreground)' },
      '.cm-selectionBackground': { backgroundColor: 'color-mix(in oklab, var(--color-primary) 14%, transparent)' },
      '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground': { backgroundColor: 'color-mix(in oklab, var(--color-primary) 24%, transparent)' },
      '&.cm-focused .cm-matchingBracket': { backgroundColor: 'color-mix(in oklab, var(--color-success) 22%, transparent)', outline: '1px solid color-mix(in oklab, var(--color-success) 60%, transparent)' },
      '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'color-mix(in oklab, var(--color-destructive) 18%, transparent)' },
      '.cm-placeholder': { color: 'var(--color-muted-foreground)' },
    },
    { dark: false },
  );
}

/** CodeMirror splits lines on \n, \r\n and \r and joins them with \n: a value with \r keeps its own separator. */
function lineSeparator(value: string): Extension {
  if (!value.includes('\r')) return [];
  return EditorState.lineSeparator.of(value.includes('\r\n') ? '\r\n' : '\r');
}

function ariaAttributes(p: Pick<CodeEditorProps, 'id' | 'labelledBy' | 'describedBy' | 'invalid' | 'required' | 'data-testid'>): Record<string, string> {
  return {
    id: p.id,
    'aria-labelledby': p.labelledBy,
    ...(p.describedBy ? { 'aria-describedby': p.describedBy } : {}),
    'aria-invalid': p.invalid ? 'true' : 'false',
    ...(p.required ? { 'aria-required': 'true' } : {}),
    ...(p['data-testid'] ? { 'data-testid': `${p['data-testid']}-content` } : {}),
  };
}

export function CodeEditor(props: CodeEditorProps) {
  const { id, value, onChange, onBlur, labelledBy, describedBy, invalid, required, minLines = 8, maxLines = 30, className } = props;
  const testId = props['data-testid'];
  const hostRef = React.useRef<HTMLDivElement>(null);
  const viewRef = React.useRef<EditorView | null>(null);
  const [compartments] = React.useState(() => ({ aria: new Compartment(), placeholder: new Compartment() }));
  const latest = React.useRef({ onChange, onBlur, value, aria: ariaAttributes(props), placeholder: props.placeholder });
  const aria = React.useMemo(() => ariaAttributes({ id, labelledBy, describedBy, invalid, required, 'data-testid': testId }), [id, labelledBy, describedBy, invalid, required, testId]);

  React.useLayoutEffect(() => {
    latest.current = { onChange, onBlur, value, aria, placeholder: props.placeholder };
  });

  const createState = React.useCallback(
    (doc: string) =>
      EditorState.create({
        doc,
        extensions: [
          lineSeparator(doc),
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          bracketMatching(),
          highlightActiveLine(),
          javascript(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          theme(minLines, maxLines),
          compartments.aria.of(EditorView.contentAttributes.of(latest.current.aria)),
          compartments.placeholder.of(latest.current.placeholder ? placeholder(latest.current.placeholder) : []),
          EditorView.updateListener.of((u) => {
            // Only edits in the editor reach the form (a new document from the form is set with setState).
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
          EditorView.domEventHandlers({ blur: () => latest.current.onBlur?.() }),
        ],
      }),
    [compartments, minLines, maxLines],
  );

  // One view per mount; it starts from the value of that moment.
  React.useEffect(() => {
    const view = new EditorView({ parent: hostRef.current!, state: createState(latest.current.value) });
    viewRef.current = view;
    return () => {
      viewRef.current = null;
      view.destroy();
    };
  }, [createState]);

  // A value the editor did not write (form reset, JSON view applied, another action) is a new document.
  React.useEffect(() => {
    const view = viewRef.current;
    if (view && view.state.doc.toString() !== value) view.setState(createState(value));
  }, [value, createState]);

  React.useEffect(() => {
    viewRef.current?.dispatch({ effects: compartments.aria.reconfigure(EditorView.contentAttributes.of(aria)) });
  }, [aria, compartments]);

  React.useEffect(() => {
    const text = props.placeholder;
    viewRef.current?.dispatch({ effects: compartments.placeholder.reconfigure(text ? placeholder(text) : []) });
  }, [props.placeholder, compartments]);

  return (
    <div
      ref={hostRef}
      data-testid={testId}
      data-code-editor="ready"
      className={cn(
        'overflow-hidden rounded-md border border-input bg-card shadow-xs transition-[color,box-shadow] focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/40',
        invalid && 'border-destructive ring-destructive/20',
        className,
      )}
    />
  );
}

export default CodeEditor;
