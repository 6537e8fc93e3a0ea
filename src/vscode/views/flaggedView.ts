// Outputs flagged as erroneous; each expands to the runs in its (upstream) trace: the first
// MAX_TRACE_ITEMS of them, then a line that says how many more (the graph pages through the rest).
import type { LineageService } from '../lineageService';
import { PointerNode, RunNode } from './nodes';
import { LineageNode, LineageTreeProvider, MessageNode } from './treeBase';

const MAX_TRACE_ITEMS = 200;

export class FlaggedView extends LineageTreeProvider {
  constructor(service: LineageService) {
    super(service);
  }

  protected roots(): LineageNode[] {
    const store = this.service.store!;
    return store.pointers({ flagged: true }).map(
      (p) =>
        new PointerNode(this.service, p.name, p.type, true, 'flagged', () => {
          const trace = store.trace(p.name, { staleness: false, limit: MAX_TRACE_ITEMS });
          if (trace.runs.length === 0) return [new MessageNode('No logged run wrote it.')];
          const reasons = this.service.staleness(trace.runs);
          const nodes: LineageNode[] = trace.runs.map(
            (r) => new RunNode(this.service, r, reasons.get(r.id) ?? [], `flagged/${p.name}`),
          );
          const more = trace.total - trace.runs.length;
          if (more > 0)
            nodes.push(
              new MessageNode(
                `${more.toLocaleString('en')} more runs: open the lineage graph to see them.`,
                'ellipsis',
              ),
            );
          return nodes;
        }),
    );
  }
}
