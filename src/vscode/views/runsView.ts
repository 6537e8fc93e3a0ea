// Runs, newest first, a page at a time ("Load more…" at the end).
import type { Run } from '../../core/model';
import { RUNS_PAGE_SIZE } from '../constants';
import type { LineageService } from '../lineageService';
import { LoadMoreNode, RunNode } from './nodes';
import { LineageNode, LineageTreeProvider } from './treeBase';

export class RunsView extends LineageTreeProvider {
  /** How many runs to show: grows by a page with each "Load more". */
  private wanted = RUNS_PAGE_SIZE;

  constructor(service: LineageService) {
    super(service);
  }

  loadMore(): void {
    this.wanted += RUNS_PAGE_SIZE;
    this.refresh();
  }

  protected roots(): LineageNode[] {
    const store = this.service.store!;
    const runs: Run[] = [];
    let next: string | null = null;
    do {
      const page = store.recent({ limit: Math.min(RUNS_PAGE_SIZE, this.wanted - runs.length), after: next });
      runs.push(...page.items);
      next = page.next;
    } while (next && runs.length < this.wanted);
    const reasons = this.service.staleness(runs);
    const nodes: LineageNode[] = runs.map(
      (r) => new RunNode(this.service, r, reasons.get(r.id) ?? [], 'runs'),
    );
    if (next) nodes.push(new LoadMoreNode(runs.length));
    return nodes;
  }
}
