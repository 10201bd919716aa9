import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The builders leave panel ids unset (rows get 0); Grafana would invent them at load time, which
 * breaks links to a panel (viewPanel=ID) between loads. Numbered here in layout order instead.
 */
export function numberPanels(board: dashboard.Dashboard): dashboard.Dashboard {
  return { ...board, panels: (board.panels ?? []).map((panel, i) => ({ ...panel, id: i + 1 })) };
}
