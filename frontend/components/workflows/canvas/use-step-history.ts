'use client';
import * as React from 'react';

const SETTLE_MS = 400;

/**
 * Undo and redo over the steps tree, as JSON snapshots: a change is recorded once the tree has been
 * still for a moment (typing a word is one step back, not one per letter), or at once when a
 * structural edit follows (`flush`). `apply` puts a snapshot back; the change it makes is not
 * recorded again.
 */
export function useStepHistory(current: string, apply: (snapshot: string) => void) {
  const past = React.useRef<string[]>([]);
  const future = React.useRef<string[]>([]);
  const recorded = React.useRef(current);
  const [, bump] = React.useReducer((n: number) => n + 1, 0);

  /** Records `now` as a new step (a new change ends the redo trail); nothing when it is the one recorded. */
  const record = React.useCallback((now: string) => {
    if (now === recorded.current) return;
    past.current.push(recorded.current);
    if (past.current.length > 200) past.current.shift();
    future.current = [];
    recorded.current = now;
    bump();
  }, []);

  React.useEffect(() => {
    if (current === recorded.current) return;
    // A structural edit may record it before then (flush): recording it again is then nothing.
    const t = window.setTimeout(() => record(current), SETTLE_MS);
    return () => window.clearTimeout(t);
  }, [current, record]);

  const latest = React.useRef({ current, apply });
  React.useEffect(() => {
    latest.current = { current, apply };
  });

  /**
   * Ends the change still settling as a step of its own: called before a structural edit (add,
   * delete, move, duplicate, paste), so that one undo takes back that edit alone, never the edits
   * typed just before it as well.
   */
  const flush = React.useCallback(() => record(latest.current.current), [record]);

  const undo = React.useCallback(() => {
    const { current: now, apply: put } = latest.current;
    // A change still settling counts as done: undo goes back to before it.
    if (now !== recorded.current) {
      past.current.push(recorded.current);
      recorded.current = now;
    }
    const target = past.current.pop();
    if (target === undefined) return false;
    future.current.push(now);
    recorded.current = target;
    put(target);
    bump();
    return true;
  }, []);

  const redo = React.useCallback(() => {
    const { current: now, apply: put } = latest.current;
    // A new change since the undo ends the redo trail.
    if (now !== recorded.current) return false;
    const target = future.current.pop();
    if (target === undefined) return false;
    past.current.push(now);
    recorded.current = target;
    put(target);
    bump();
    return true;
  }, []);

  return { undo, redo, flush, canUndo: past.current.length > 0 || current !== recorded.current, canRedo: future.current.length > 0 };
}
