'use client';
import * as React from 'react';
import { useWatch, type UseFieldArrayReturn, type UseFormReturn } from 'react-hook-form';
import type { Connector, Step } from '@/lib/api/types';
import { newAgentStep, newStep, toStep, toStepValues, type BuilderValues } from '../builder/form-model';
import type { PickableBlock } from '../builder/connector-picker';
import { newBlock } from './block-settings';
import { allIds, duplicateStep, getList, insertAt, locate, moveStep, removeStep, replaceStep, shiftStep, uniqueId, type ListRef } from './step-tree';
import { TRIGGER_NODE_ID } from './workflow-graph';
import { useStepHistory } from './use-step-history';

export type Slot = { ref: ListRef; index: number };

/**
 * The builder's steps as one tree over its form: the form's top-level entries stay the source of
 * truth (the list view and the step cards edit them), the canvas reads them as `Step[]` and writes
 * its edits back, keeping the entries it did not touch. Selection, undo/redo and the clipboard live here.
 */
export function useStepsTree(form: UseFormReturn<BuilderValues>, fields: UseFieldArrayReturn<BuilderValues, 'steps', 'key'>, connectors: Connector[]) {
  const watched = useWatch({ control: form.control, name: 'steps' });
  const tree = React.useMemo(() => (watched ?? []).map((s) => toStep(s, connectors)), [watched, connectors]);
  const snapshot = React.useRef({ values: watched ?? [], tree });
  React.useEffect(() => {
    snapshot.current = { values: watched ?? [], tree };
  }, [watched, tree]);

  const [selectedId, setSelectedId] = React.useState<string | null>(null);
  const [clipboard, setClipboard] = React.useState<string | null>(null);

  const apply = React.useCallback(
    (next: Step[]) => {
      const { values, tree: prev } = snapshot.current;
      fields.replace(
        next.map((s) => {
          const j = prev.indexOf(s);
          return j >= 0 && values[j] ? values[j] : toStepValues(s, connectors);
        }),
      );
    },
    [fields, connectors],
  );
  const current = () => snapshot.current.tree;

  const treeJson = React.useMemo(() => JSON.stringify(tree), [tree]);
  const history = useStepHistory(treeJson, (json) => apply(JSON.parse(json) as Step[]));

  // The selection follows its step when it is renamed (its id typed anew): same place, new id. A
  // selection not in the tree yet (a step just added, the form not re-read) is left alone.
  const place = React.useRef<(Slot & { id: string }) | null>(null);
  React.useEffect(() => {
    if (!selectedId || selectedId === TRIGGER_NODE_ID) return;
    const at = locate(tree, selectedId);
    if (at) {
      place.current = { id: selectedId, ref: at.ref, index: at.index };
      return;
    }
    const was = place.current;
    if (!was || was.id !== selectedId) return;
    const there = getList(tree, was.ref)?.[was.index];
    setSelectedId(there ? there.id : null);
  }, [tree, selectedId]);

  // A structural edit is a step of the history of its own: what was typed before it is recorded first.
  const { flush } = history;
  const edit = React.useCallback(
    (next: Step[]) => {
      flush();
      apply(next);
    },
    [flush, apply],
  );

  const insert = React.useCallback(
    (slot: Slot, step: Step) => {
      edit(insertAt(current(), slot.ref, slot.index, step));
      setSelectedId(step.id);
    },
    [edit],
  );

  const ops = React.useMemo(
    () => ({
      addAction(slot: Slot, connector: Connector, actionKey: string) {
        insert(slot, toStep(newStep(connector, actionKey, [...allIds(current())]), connectors));
      },
      addBlock(slot: Slot, type: PickableBlock) {
        const taken = allIds(current());
        insert(slot, type === 'agent' ? toStep(newAgentStep([...taken]), connectors) : newBlock(type, uniqueId(type, taken)));
      },
      remove(id: string) {
        const tree = current();
        const at = locate(tree, id);
        if (!at) return;
        const next = removeStep(tree, id);
        edit(next);
        const list = getList(next, at.ref) ?? [];
        setSelectedId(list[Math.min(at.index, list.length - 1)]?.id ?? at.ancestors.at(-1) ?? null);
      },
      duplicate(id: string) {
        const r = duplicateStep(current(), id);
        if (!r) return;
        edit(r.tree);
        setSelectedId(r.id);
      },
      shift(id: string, delta: -1 | 1) {
        const next = shiftStep(current(), id, delta);
        if (next) edit(next);
      },
      move(id: string, slot: Slot) {
        const next = moveStep(current(), id, slot.ref, slot.index);
        if (next) {
          edit(next);
          setSelectedId(id);
        }
      },
      replace(id: string, step: Step) {
        apply(replaceStep(current(), id, step));
        if (step.id !== id && selectedId === id) setSelectedId(step.id);
      },
      cut(id: string) {
        setClipboard(id);
      },
      paste(slot: Slot) {
        if (!clipboard) return false;
        const next = moveStep(current(), clipboard, slot.ref, slot.index);
        if (!next) return false;
        edit(next);
        setSelectedId(clipboard);
        setClipboard(null);
        return true;
      },
    }),
    [apply, edit, insert, connectors, selectedId, clipboard],
  );

  return { tree, selectedId, setSelectedId, clipboard, ops, history };
}
