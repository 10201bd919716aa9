import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The builders leave panel ids unset (rows get 0); Grafana would invent them at load time, which
 * breaks links to a panel (viewPanel=ID) between loads. Numbered here in layout order instead.
 */
export function numberPanels(board: dashboard.Dashboard): dashboard.Dashboard {
  return { ...board, panels: (board.panels ?? []).map((panel, i) => ({ ...panel, id: i + 1 })) };
}

/**
 * Grafana saves a dashboard with `templating` and `annotations` as `{ "list": [...] }` (its save model);
 * the builders leave both `{}` when a dashboard has no variables or annotations.
 */
export function withGrafanaLists(board: dashboard.Dashboard): dashboard.Dashboard {
  return {
    ...board,
    templating: { ...board.templating, list: board.templating?.list ?? [] },
    annotations: { ...board.annotations, list: board.annotations?.list ?? [] },
  };
}
