import { test, expect } from './fixtures';
import { NAV, ROUTES } from '../src/constants';
import { testIds } from '../src/components/testIds';

// Runs against a real Grafana: .github/workflows/ci.yml (grafana-e2e) starts the image compose builds,
// with the API and its stores. Not runnable on our machines (no Docker engine): the stand-in suite
// (e2e/test/browser) covers these pages there.
test.describe('the app in Grafana', () => {
  test('every page renders with live numbers and no query errors', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Overview}`);
    await expect(page.getByTestId(testIds.overview.activeCalls)).not.toHaveText('—');
    for (const { route, title } of NAV) {
      await page.getByTestId(testIds.app.nav).getByRole('link', { name: title, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/${route}`));
      // Grafana's page header (PluginPage) carries the page's title from the app's navigation.
      await expect(page.getByRole('heading', { name: title, exact: true, level: 1 })).toBeVisible();
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
