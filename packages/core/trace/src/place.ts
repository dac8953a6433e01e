import type { StageDraft } from './drafts.js';
import { firstSmallest, sortSmall } from './sort.js';

/** A stage draft with its final start and parent (another draft, or null for a child of the attempt span). */
export interface PlacedDraft {
  readonly draft: StageDraft;
  readonly startTime: number;
  /** `logged`, `{stage}.start` / `{stage}.end` of the step the start was borrowed from, or `none`. */
  readonly startFrom: string;
  readonly parent: StageDraft | null;
}

/**
 * Gives every draft its parent and start time, in the order the stages really happen. The RADIUS decision goes
 * inside the IIS request that was open when NPS decided (the DA server asks NPS while serving the request); every
 * other stage is a child of the attempt. A stage that logged a single instant starts where the previous step ended
 * (for a RADIUS decision inside a request: where the request started), and says so.
 */
export function placeDrafts(drafts: readonly StageDraft[]): PlacedDraft[] {
  // Loops and push rather than filter/map: see collectDrafts (the elements kinds of their results vary).
  const gateways: StageDraft[] = [];
  for (const draft of drafts) if (draft.stage === 'gateway') gateways.push(draft);
  const parentOf = new Map<StageDraft, StageDraft>();
  for (const draft of drafts) {
    if (draft.stage !== 'radius') continue;
    const gateway = enclosingRequest(gateways, draft.endTime);
    if (gateway !== undefined) parentOf.set(draft, gateway);
  }
  const topLevel: StageDraft[] = [];
  for (const draft of drafts) if (!parentOf.has(draft)) topLevel.push(draft);
  const placed = new Map<StageDraft, PlacedDraft>();
  let previous: PlacedDraft | null = null;
  // Top-level steps in the order they ended: each borrows, when it must, the end of the one before it.
  for (const draft of sortSmall(topLevel, byEnd)) {
    const place = placeAfter(draft, previous);
    placed.set(draft, place);
    previous = place;
  }
  for (const [child, parent] of parentOf) {
    const parentStart = placed.get(parent)!.startTime;
    placed.set(child, {
      draft: child,
      parent,
      startTime: child.startTime ?? Math.min(parentStart, child.endTime),
      startFrom: child.startTime === null ? 'gateway.start' : 'logged',
    });
  }
  const inOrder: PlacedDraft[] = [];
  for (const draft of drafts) inOrder.push(placed.get(draft)!);
  return inOrder;
}

function placeAfter(draft: StageDraft, previous: PlacedDraft | null): PlacedDraft {
  if (draft.startTime !== null) return { draft, parent: null, startTime: draft.startTime, startFrom: 'logged' };
  if (previous === null) return { draft, parent: null, startTime: draft.endTime, startFrom: 'none' };
  return {
    draft,
    parent: null,
    startTime: Math.min(previous.draft.endTime, draft.endTime),
    startFrom: `${previous.draft.stage}.end`,
  };
}

/** The IIS request that was open at `time` (logged start ≤ time ≤ logged completion); the shortest if several. */
function enclosingRequest(gateways: readonly StageDraft[], time: number): StageDraft | undefined {
  const open: StageDraft[] = [];
  for (const g of gateways) if (g.endTime >= time && (g.startTime === null || g.startTime <= time)) open.push(g);
  return firstSmallest(open, byEnd);
}

function byEnd(a: StageDraft, b: StageDraft): number {
  return a.endTime - b.endTime || (a.startTime ?? a.endTime) - (b.startTime ?? b.endTime);
}
