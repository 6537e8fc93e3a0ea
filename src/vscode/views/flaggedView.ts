// Outputs flagged as erroneous; each expands to the runs in its (upstream) trace.
import type { LineageService } from '../lineageService';
import { PointerNode, RunNode } from './nodes';
import { LineageNode, LineageTreeProvider, MessageNode } from './treeBase';

export class FlaggedView extends LineageTreeProvider {
  constructor(service: LineageService) {
    super(service);
  }

  protected roots(): LineageNode[] {
    const store = this.service.store!;
    return store.pointers({ flagged: true }).map(
      (p) =>
        new PointerNode(this.service, p.name, p.type, true, 'flagged', () => {
          const trace = store.trace(p.name, { staleness: false });
          if (trace.runs.length === 0) return [new MessageNode('No logged run wrote it.')];
          const reasons = this.service.staleness(trace.runs);
          return trace.runs.map(
            (r) => new RunNode(this.service, r, reasons.get(r.id) ?? [], `flagged/${p.name}`),
          );
        }),
    );
  }
}
