import { test, expect } from './fixtures';
import { NAV, ROUTES } from '../src/constants';
import { testIds } from '../src/components/testIds';

// Runs against a real Grafana (npm run server, GRAFANA_URL) with the provisioned data source
// pointing at a running voice-agent-api. Not run in this repository's CI (no Docker engine).
test.describe('the app in Grafana', () => {
  test('every page renders with live numbers and no query errors', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Overview}`);
    await expect(page.getByTestId(testIds.overview.activeCalls)).not.toHaveText('—');
    for (const { route, title } of NAV) {
      await page.getByTestId(testIds.app.nav).getByRole('link', { name: title, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/${route}`));
      await expect(page.getByText('Some numbers could not be loaded')).toHaveCount(0);
    }
  });

  test('the Beast Mode page shows every skill', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.BeastMode}`);
    for (const skill of ['overall', 'opening', 'discovery', 'objection_handling', 'closing']) {
      await expect(page.getByTestId(testIds.beastMode.skill(skill))).toBeVisible();
    }
  });
});
